"""Writing diaries (民情日记), leaders' comments (批示), and the daily reminder of missed days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.calendar import workdays
from cadres.models import Cadre, ExcusedAbsence, Household, Village
from cadres.roles import Actor, Role, require_system
from core.errors import NotAllowed, StateError
from core.history import create_with_links
from core.notifications import notify_cadres
from supervision.models import TEXT_LIMIT, Category, Diary, DiaryComment, PlanMilestone
from supervision.models.diaries import DIARY_PER_DAY
from supervision.notifications import NotificationKind
from supervision.search import index_diary
from supervision.selectors.diaries import backfill_days

from ._common import check_length, cn_date, notify_after_commit, require_text

COMMENT_LIMIT = 2000
# One refusal for households that are unknown, inactive or of another village (API and service).
HOUSEHOLDS_REFUSED = gettext_lazy("以下农户不存在或不属于所选村：%(ids)s。")


class DayAlreadyWritten(ValidationError):
    """The author's diary of that day exists (the one-diary-per-day constraint refused a second)."""


class DiaryConflict(StateError):
    """An upload from the phone's outbox for a day already written: the stored diary comes back so
    the cadre can merge the two texts (through diary_update) or discard the phone's copy."""

    code = "conflict"

    def __init__(self, message: str, *, diary: Diary) -> None:
        super().__init__(message, field="date")
        self.diary = diary


def offline_days() -> int:
    """How long a diary may wait in a phone's outbox and still be accepted (see diary_submit)."""
    return int(settings.PORTAL["DIARY_OFFLINE_DAYS"])


# --- who may do what (the pages use these to decide which forms to show) -----------------------


def can_write_diary(actor: Actor) -> bool:
    return actor.cadre is not None and actor.cadre.is_active


def can_edit_diary(actor: Actor, diary: Diary) -> bool:
    return actor.cadre is not None and actor.cadre_id == diary.author_id


def can_comment(actor: Actor) -> bool:
    """批示 is a leader's act: the top leaders and the leaders in charge of units."""
    return actor.cadre is not None and bool(actor.roles & {Role.LEADER, Role.LEADER_IN_CHARGE})


# --- validation shared by create and update -------------------------------------------------------


_KEEP: Any = object()


def _cited_milestone(milestone: PlanMilestone | None, village: Village) -> PlanMilestone | None:
    """A diary cites a milestone of a plan of the village it visited."""
    if milestone is not None and milestone.plan.village_id != village.pk:
        raise ValidationError({"milestone": _("所选规划节点不属于走访村的发展规划。")})
    return milestone


def _clean_fields(
    *,
    author: Cadre,
    village: Village,
    households: Sequence[Household],
    category: str,
    place: str,
    people_met: str,
    situation: str,
    problems: str,
    ideas: str,
) -> dict[str, object]:
    if village.township_id != author.township_id or not village.is_active:
        raise ValidationError({"village": _("所选村不属于您所在的乡镇。")})
    strangers = [str(h.pk) for h in households if h.village_id != village.pk or not h.is_active]
    if strangers:
        # By id only, as for an unknown id: the caller may not be allowed to read these households.
        raise ValidationError({"households": str(HOUSEHOLDS_REFUSED) % {"ids": "、".join(strangers)}})
    if category not in Category.values:
        raise ValidationError({"category": _("请选择正确的类别。")})
    situation = require_text("situation", situation, _("请填写民情。"))
    for field, value, limit in (
        ("place", place, 100), ("people_met", people_met, 200), ("situation", situation, TEXT_LIMIT),
        ("problems", problems, TEXT_LIMIT), ("ideas", ideas, TEXT_LIMIT),
    ):
        check_length(field, value or "", limit)
    return {
        "village": village, "category": category, "place": (place or "").strip(),
        "people_met": (people_met or "").strip(), "situation": situation,
        "problems": (problems or "").strip(), "ideas": (ideas or "").strip(),
    }


def check_diary_date(*, author: Cadre, day: date, today: date) -> None:
    """Today, or a missed workday up to DIARY_BACKFILL_DAYS back; never the future. (A second
    diary of the same day is refused by the database's constraint: see diary_create.)"""
    if day > today:
        raise ValidationError({"date": _("不能为未来的日期写日记。")})
    window = backfill_days()
    if day < today - timedelta(days=window):
        raise ValidationError({"date": _("只能补写最近 %(n)s 天内漏写的日记。") % {"n": window}})
    if day != today and not workdays(day, day, author.township_id):
        raise ValidationError({"date": _("%(day)s 不是工作日，无需补写。") % {"day": cn_date(day)}})


# --- services -------------------------------------------------------------------------------------


@transaction.atomic
def diary_create(
    *,
    actor: Actor,
    date: date | None = None,
    village: Village,
    households: Sequence[Household] = (),
    category: str = Category.OTHER,
    place: str = "",
    people_met: str = "",
    situation: str,
    problems: str = "",
    ideas: str = "",
    milestone: PlanMilestone | None = None,
    client_id: UUID | None = None,
    today: date | None = None,
) -> Diary:
    """One diary per cadre per day, by the cadre themselves; on time when written on the day."""
    if not can_write_diary(actor):
        raise NotAllowed(_("只有在岗干部本人可以写民情日记。"))
    author = actor.cadre
    assert author is not None
    today = today or timezone.localdate()
    day = date or today
    # Whether the day is written already is left to the database: the one-diary-per-day constraint
    # refuses the second of two submits even when both arrive at once (the second waits for the
    # first to commit), and answers the usual case in the same statement as the insert.
    check_diary_date(author=author, day=day, today=today)
    fields = _clean_fields(
        author=author, village=village, households=households, category=category, place=place,
        people_met=people_met, situation=situation, problems=problems, ideas=ideas,
    )
    diary = Diary(township_id=author.township_id, author=author, date=day, on_time=(day == today),
                  milestone=_cited_milestone(milestone, village), client_id=client_id, **fields)
    try:
        # One version in the history, households included (not one before and one after they are added).
        diary = create_with_links(diary, {"households": list(dict.fromkeys(households))})
    except IntegrityError as exc:
        if not _is_second_diary_of_the_day(exc):
            raise
        # The transaction is spoilt: nothing more is asked of the database before it rolls back.
        raise DayAlreadyWritten({"date": _("%(day)s 的日记已经写过，请修改原日记。") % {"day": cn_date(day)}}) from exc
    index_diary(diary)  # in the same transaction: a diary is searchable as soon as it exists
    return diary


def _is_second_diary_of_the_day(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint
        return getattr(diag, "constraint_name", None) == DIARY_PER_DAY
    return "supervision_diary.author_id, supervision_diary.date" in str(exc)  # SQLite names the columns


# Long on purpose: an offline diary's every field is checked (one line each) before the one idempotent write.
def diary_submit(
    *,
    actor: Actor,
    client_id: UUID,
    written_on: date | None = None,
    date: date | None = None,
    village: Village,
    households: Sequence[Household] = (),
    category: str = Category.OTHER,
    place: str = "",
    people_met: str = "",
    situation: str,
    problems: str = "",
    ideas: str = "",
    today: date | None = None,
) -> tuple[Diary, bool]:
    """A diary from the phone's outbox: (the diary, whether it was written now).

    Idempotent by `client_id`: a retry after a lost answer gets the stored diary back, also when
    two copies of the upload arrive at once (the second waits for the first at the unique index).
    `written_on` is the phone's day when the diary was saved there; the back-fill window and
    "on time" count from it, as if it had been uploaded that day. A phone's clock is the cadre's
    own word, so it is believed for DIARY_OFFLINE_DAYS only: an older outbox is refused (the
    office can still enter the diary), and a day after the server's today is never accepted.
    A day already written raises DiaryConflict carrying the stored diary."""
    if not can_write_diary(actor):
        raise NotAllowed(_("只有在岗干部本人可以写民情日记。"))
    author = actor.cadre
    assert author is not None
    stored = Diary.objects.filter(author=author, client_id=client_id).first()
    if stored is not None:
        return stored, False
    today = today or timezone.localdate()
    written_on = written_on or today
    if written_on > today:
        raise ValidationError({"written_on": _("手机上的日期晚于今天，请检查手机的日期设置。")})
    limit = offline_days()
    if written_on < today - timedelta(days=limit):
        raise ValidationError({"written_on": _(
            "这篇日记在手机上保存已超过 %(n)s 天，不能再上传；请把内容交党政办补录。") % {"n": limit}})
    day = date or written_on
    try:
        diary = diary_create(
            actor=actor, date=day, village=village, households=households, category=category, place=place,
            people_met=people_met, situation=situation, problems=problems, ideas=ideas, client_id=client_id,
            today=written_on,
        )
    except (DayAlreadyWritten, IntegrityError) as exc:
        # Both constraints may answer a simultaneous copy of the same upload: whichever index
        # PostgreSQL checks first. The copy that won is committed by now (the insert waited for it).
        stored = Diary.objects.filter(author=author, client_id=client_id).first()
        if stored is not None:
            return stored, False
        if not isinstance(exc, DayAlreadyWritten):
            raise
        existing = Diary.objects.filter(author=author, date=day).first()
        if existing is None:
            raise
        raise DiaryConflict(
            _("%(day)s 的日记已经写过：请把两份内容合并到原日记，或放弃手机上的这份。") % {"day": cn_date(day)},
            diary=existing,
        ) from exc
    return diary, True


@transaction.atomic
def diary_update(
    *,
    actor: Actor,
    diary: Diary,
    village: Village,
    households: Sequence[Household] = (),
    category: str,
    place: str = "",
    people_met: str = "",
    situation: str,
    problems: str = "",
    ideas: str = "",
    milestone: Any = _KEEP,
    today: date | None = None,
) -> Diary:
    """The author edits freely on the day; a later edit is kept in the history with a reason.
    The cited plan milestone stays as it is unless `milestone` is given (None clears it)."""
    if not can_edit_diary(actor, diary):
        raise NotAllowed(_("只有作者本人可以修改日记。"))
    diary = Diary.objects.select_for_update().get(pk=diary.pk)
    today = today or timezone.localdate()
    assert actor.cadre is not None
    fields = _clean_fields(
        author=actor.cadre, village=village, households=households, category=category, place=place,
        people_met=people_met, situation=situation, problems=problems, ideas=ideas,
    )
    for name, value in fields.items():
        setattr(diary, name, value)
    if milestone is not _KEEP:
        diary.milestone = _cited_milestone(milestone, village)
    elif diary.milestone_id is not None and PlanMilestone.objects.filter(
            pk=diary.milestone_id).exclude(plan__village_id=village.pk).exists():
        diary.milestone = None  # another village now: the old village's milestone no longer applies
    if diary.date != today:
        diary._change_reason = _("%(day)s 事后修改") % {"day": f"{today:%Y-%m-%d}"}  # type: ignore[attr-defined]
    diary.save()
    diary.households.set(households)
    index_diary(diary)
    return diary


@transaction.atomic
def diary_comment(*, actor: Actor, diary: Diary, text: str) -> DiaryComment:
    if not can_comment(actor):
        raise NotAllowed(_("只有镇领导和分管领导可以批示。"))
    text = require_text("text", text, _("请填写批示内容。"))
    check_length("text", text, COMMENT_LIMIT)
    assert actor.cadre is not None
    diary = Diary.objects.select_for_update(of=("self",)).select_related("author__user").get(pk=diary.pk)
    comment = DiaryComment.objects.create(diary=diary, author=actor.cadre, text=text)
    if diary.author_id != actor.cadre_id:
        author_user = diary.author.user
        notify_after_commit(
            users=lambda: [author_user],
            kind=NotificationKind.DIARY_COMMENTED,
            title=_("%(name)s 批示了您 %(day)s 的民情日记") % {"name": actor.cadre.name, "day": cn_date(diary.date, year=False)},
            body=text[:500],
            url=reverse("diary-show", args=[diary.pk]),
        )
    return comment


def diary_reminders_send(*, actor: Actor, today: date | None = None) -> int:
    """Remind each cadre whose diary duty is behind: missed expected workdays in the backfill
    window that can still be written. Once per cadre per day (dedupe key); returns how many
    cadres were newly reminded. The system's job (cadres.roles.SYSTEM)."""
    require_system(actor)
    today = today or timezone.localdate()
    window_start = today - timedelta(days=backfill_days())
    yesterday = today - timedelta(days=1)
    cadres = list(
        Cadre.objects.filter(is_active=True, level=Cadre.Level.TOWNSHIP, user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("township_id", "id")
    )
    by_township: dict[int, list[Cadre]] = defaultdict(list)
    for cadre in cadres:
        by_township[cadre.township_id].append(cadre)
    written: set[tuple[int, date]] = set(
        Diary.objects.filter(date__range=(window_start, yesterday), author__in=[c.pk for c in cadres])
        .values_list("author_id", "date")
    )
    excused: set[tuple[int, date]] = set()
    for cadre_id, start, end in ExcusedAbsence.objects.filter(
        start__lte=yesterday, end__gte=window_start, cadre__in=[c.pk for c in cadres]
    ).values_list("cadre_id", "start", "end"):
        day = max(start, window_start)
        while day <= min(end, yesterday):
            excused.add((cadre_id, day))
            day += timedelta(days=1)
    reminded = 0
    url = reverse("diary-new")
    for township_id, members in by_township.items():
        days = workdays(window_start, yesterday, township_id)
        for cadre in members:
            missed = [d for d in days if (cadre.pk, d) not in written and (cadre.pk, d) not in excused]
            if not missed:
                continue
            listed = "、".join(cn_date(d, year=False) for d in missed)
            reminded += notify_cadres(
                cadres=[cadre],
                kind=NotificationKind.DIARY_REMINDER,
                title=_("您有 %(n)s 天的民情日记待补写") % {"n": len(missed)},
                body=_("%(days)s 的民情日记尚未填写，可在 %(window)s 天内补写。") % {"days": listed, "window": backfill_days()},
                url=url,
                dedupe_key=f"diary-reminder:{cadre.pk}:{today.isoformat()}",
            )
    return reminded
