"""The party committee's agenda: a leader adopts an idea (采纳), the party secretary puts a group of
recurring problems on it (一类事), the office enters an item; a major item's consultation is recorded
before the decision (议事决策公开); the decision is told to those who raised the problem and can be
published as a 党务/政务 disclosure in one step."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Post, Village
from cadres.roles import Actor, Role
from core.errors import NotAllowed, StateError
from core.notifications import CoreKind
from supervision.models import AgendaItem, Diary, Disclosure, DisclosureRequirement, Domain, ProblemGroup, Subject
from supervision.notifications import NotificationKind

from ._common import check_length, cn_date, notify_after_commit, require_text


def can_adopt(actor: Actor) -> bool:
    """Only the top leaders put an idea on the party committee's agenda."""
    return actor.cadre is not None and Role.LEADER in actor.roles


def can_decide(actor: Actor) -> bool:
    """The leaders or the office record what the committee decided."""
    return actor.has(Role.LEADER, Role.OFFICE)


@transaction.atomic
def idea_adopt(*, actor: Actor, diary: Diary, title: str = "") -> AgendaItem:
    if not can_adopt(actor):
        raise NotAllowed(_("只有镇党政主要领导可以采纳建议。"))
    diary = Diary.objects.select_for_update(of=("self",)).select_related("author__user").get(pk=diary.pk)
    if not diary.ideas.strip():
        raise StateError(_("这篇日记没有填写新思路，无可采纳。"))
    if AgendaItem.objects.filter(diary=diary).exists():
        raise StateError(_("这条建议已被采纳，已在党委议题中。"))
    title = (title or "").strip() or diary.ideas.strip().splitlines()[0]
    title = title[:200]
    assert actor.cadre is not None
    item = AgendaItem.objects.create(township_id=diary.township_id, diary=diary, title=title, adopted_by=actor.cadre)
    author_user = diary.author.user
    notify_after_commit(
        users=lambda: [author_user] if diary.author_id != actor.cadre_id else [],
        kind=CoreKind.GENERAL,
        title=_("您 %(day)s 日记中的建议已被采纳，列入党委议题") % {"day": cn_date(diary.date, year=False)},
        body=title,
        url=reverse("diary-show", args=[diary.pk]),
    )
    return item


def is_party_secretary(actor: Actor) -> bool:
    """党委书记: the cadre's post, or a post held concurrently (兼任)."""
    cadre = actor.cadre
    return cadre is not None and Post.PARTY_SECRETARY in {cadre.post, *(cadre.extra_posts or [])}


def can_adopt_group(actor: Actor) -> bool:
    """The party secretary sets the committee's agenda: only they put a group of problems on it."""
    return is_party_secretary(actor)


def can_enter_item(actor: Actor) -> bool:
    return actor.has(Role.OFFICE) and actor.township_id is not None


def _own_township(actor: Actor, township_id: int) -> None:
    if actor.township_ids is not None and township_id not in actor.township_ids:
        raise NotAllowed(_("只能处理本镇的党委议题。"))


@transaction.atomic
def group_adopt(*, actor: Actor, group: ProblemGroup, title: str = "") -> AgendaItem:
    """The party secretary puts a group of recurring problems on the committee's agenda as one item."""
    if not can_adopt_group(actor):
        raise NotAllowed(_("只有党委书记可以把一类事列入党委议题。"))
    group = ProblemGroup.objects.select_for_update().get(pk=group.pk)
    _own_township(actor, group.township_id)
    if group.agenda_item_id is not None:
        raise StateError(_("这类问题已列入党委议题。"))
    title = (title or "").strip() or _("群众反映集中的问题：%(label)s（%(n)s个村）") % {
        "label": group.label, "n": group.village_count}
    check_length("title", title, 200)
    assert actor.cadre is not None
    item = AgendaItem.objects.create(township_id=group.township_id, source=AgendaItem.Source.GROUP, title=title,
                                     adopted_by=actor.cadre)
    group.agenda_item = item
    group.save(update_fields=["agenda_item"])
    return item


@transaction.atomic
def agenda_item_create(*, actor: Actor, title: str, is_major: bool = False) -> AgendaItem:
    """The office enters an item the committee will deliberate (not from an idea or a group)."""
    if not can_enter_item(actor) or actor.cadre is None:
        raise NotAllowed(_("只有党政办可以登记党委议题。"))
    title = require_text("title", title, _("请填写议题名称。"))
    check_length("title", title, 200)
    return AgendaItem.objects.create(township_id=actor.cadre.township_id, source=AgendaItem.Source.OFFICE,
                                     title=title, adopted_by=actor.cadre, is_major=is_major)


def _locked_pending(actor: Actor, item: AgendaItem) -> AgendaItem:
    item = AgendaItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    _own_township(actor, item.township_id)
    if item.status != AgendaItem.Status.PENDING:
        raise StateError(_("该议题已记录决策，不能再修改。"))
    return item


@transaction.atomic
def agenda_mark_major(*, actor: Actor, item: AgendaItem, is_major: bool = True) -> AgendaItem:
    """重大事项: the committee must seek the people's views before deciding it."""
    if not can_decide(actor):
        raise NotAllowed(_("只有镇领导或党政办可以认定重大事项。"))
    item = _locked_pending(actor, item)
    item.is_major = is_major
    item.save(update_fields=["is_major"])
    return item


@transaction.atomic
def agenda_consultation_record(
    *, actor: Actor, item: AgendaItem, method: str, from_whom: str, summary: str, start: date | None,
    end: date | None, today: date | None = None,
) -> AgendaItem:
    """Record how the people's views on a major item were sought, from whom, what they said, when."""
    if not can_decide(actor):
        raise NotAllowed(_("只有镇领导或党政办可以登记征求意见情况。"))
    item = _locked_pending(actor, item)
    if not item.is_major:
        raise StateError(_("只有重大事项需要登记征求意见情况，请先认定为重大事项。"))
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if method not in AgendaItem.ConsultationMethod.values:
        errors["method"] = [_("请选择征求意见方式。")]
    from_whom = (from_whom or "").strip()
    if not from_whom:
        errors["from_whom"] = [_("请填写向谁征求了意见。")]
    elif len(from_whom) > 200:
        errors["from_whom"] = [_("征求意见对象不能超过200字。")]
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("请汇总收集到的意见。")]
    elif len(summary) > 5000:
        errors["summary"] = [_("意见汇总不能超过5000字。")]
    if start is None or end is None:
        errors["end"] = [_("请填写征求意见的起止日期。")]
    elif end < start:
        errors["end"] = [_("结束日期不能早于开始日期。")]
    elif end > today:
        errors["end"] = [_("征求意见结束日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    item.consultation_method, item.consultation_from, item.consultation_summary = method, from_whom, summary
    item.consultation_start, item.consultation_end = start, end
    item.consultation_recorded_at = timezone.now()
    item.save(update_fields=["consultation_method", "consultation_from", "consultation_summary",
                             "consultation_start", "consultation_end", "consultation_recorded_at"])
    return item


def _raisers(item: AgendaItem) -> list[Any]:
    """The log-ins of those who raised the item's problem: the idea's author, or the authors of the
    group's diaries and the cadres who registered its matters."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if item.diary_id is not None:
        return list(user_model.objects.filter(cadre__diaries=item.diary_id))
    group = getattr(item, "problem_group", None)
    if group is None:
        return []
    return list(user_model.objects.filter(
        Q(cadre__diaries__problem_groups=group) | Q(cadre__raised_matters__problem_groups=group)).distinct())


def item_url(item: AgendaItem) -> str:
    return reverse("agenda-show", args=[item.pk])


@transaction.atomic
def agenda_decide(
    *, actor: Actor, item: AgendaItem, decision: str, meeting_date: date | None = None, today: date | None = None
) -> AgendaItem:
    """Record the committee's decision; it shows on the idea's diary or on every diary and matter of
    the group, and those who raised the problem are told. A major item needs its consultation first."""
    if not can_decide(actor):
        raise NotAllowed(_("只有镇领导或党政办可以记录党委决策。"))
    item = AgendaItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    _own_township(actor, item.township_id)
    if item.status != AgendaItem.Status.PENDING:
        raise StateError(_("该议题已记录决策，不能重复记录。"))
    if item.is_major and item.consultation_recorded_at is None:
        raise StateError(_("这是重大事项：须先征求群众意见并登记征求意见情况（方式、对象、意见汇总、期间），才能作出决策。"))
    decision = require_text("decision", decision, _("请填写决策内容。"))
    check_length("decision", decision, 5000)
    today = today or timezone.localdate()
    if meeting_date is not None and meeting_date > today:
        raise ValidationError({"meeting_date": _("会议日期不能晚于今天。")})
    adopted_on = timezone.localdate(item.adopted_at)
    if (meeting_date or today) < adopted_on:
        # The committee cannot have decided an item before it was put on its agenda.
        message = (_("会议日期不能早于建议被采纳的日期（%(day)s）。") if item.diary_id
                   else _("会议日期不能早于列入议题的日期（%(day)s）。"))
        raise ValidationError({"meeting_date": message % {"day": cn_date(adopted_on)}})
    if item.is_major and item.consultation_end and (meeting_date or today) < item.consultation_end:
        raise ValidationError({"meeting_date": _("会议日期不能早于征求意见结束的日期（%(day)s）。") % {
            "day": cn_date(item.consultation_end)}})
    item.status = AgendaItem.Status.DECIDED
    item.decision = decision
    item.meeting_date = meeting_date or today
    item.decided_at = timezone.now()
    item.decided_by_id = actor.user_id
    item.save(update_fields=["status", "decision", "meeting_date", "decided_at", "decided_by"])
    kind = NotificationKind.IDEA_DECIDED if item.diary_id else NotificationKind.GROUP_DECIDED
    title = (_("党委已就您的建议作出决策：%(title)s") if item.diary_id
             else _("党委已就您反映的问题作出决策：%(title)s")) % {"title": item.title[:60]}
    url = reverse("diary-show", args=[item.diary_id]) if item.diary_id else item_url(item)
    notify_after_commit(users=lambda: _raisers(item), kind=kind, title=title, body=decision[:500], url=url)
    return item


# --- publishing a decision (党务/政务公开) ------------------------------------------------------

DECISION_CATEGORIES: dict[str, str] = {Domain.PARTY: "党委重大事项决策", Domain.GOVERNMENT: "政府重大行政决策"}


def can_publish(actor: Actor) -> bool:
    return actor.has(Role.OFFICE)


def decision_requirement(township_id: int, domain: str,
                         subject_kind: str = Subject.TOWNSHIP) -> DisclosureRequirement | None:
    """The requirement a published decision counts against: its domain's decisions, for its subject."""
    category = DECISION_CATEGORIES.get(domain)
    return (DisclosureRequirement.objects.filter(domain=domain, category=category, applies_to=subject_kind,
                                                 is_active=True)
            .filter(Q(township_id=township_id) | Q(township__isnull=True)).order_by("-township_id", "id").first())


def decision_draft(item: AgendaItem) -> dict[str, Any]:
    """The disclosure prefilled from the decision; the office edits it before posting."""
    lines = [_("议题：%(t)s") % {"t": item.title}]
    if item.meeting_date:
        lines.append(_("会议日期：%(d)s") % {"d": cn_date(item.meeting_date)})
    if item.is_major and item.consultation_recorded_at:
        lines.append(_("征求意见：%(m)s，%(w)s（%(s)s至%(e)s）") % {
            "m": item.get_consultation_method_display(), "w": item.consultation_from,
            "s": cn_date(item.consultation_start) if item.consultation_start else "",
            "e": cn_date(item.consultation_end) if item.consultation_end else ""})
        lines.append(_("意见汇总：%(v)s") % {"v": item.consultation_summary})
    lines.append(_("决策内容：%(d)s") % {"d": item.decision})
    day = item.meeting_date or timezone.localdate()
    # The committee is the township's: its decision is the township's own 党务/政务 (镇本级), not a
    # village's; the village of the diary it came from is offered should the office choose a village.
    village = item.diary.village if item.diary_id is not None and item.diary is not None else None
    return {"domain": Domain.PARTY, "title": (_("党委决策公开：%(t)s") % {"t": item.title})[:200],
            "content": "\n".join(lines), "period_start": day, "period_end": day, "decision_date": day,
            "subject_kind": Subject.TOWNSHIP, "village": village}


@transaction.atomic
def agenda_publish(
    *, actor: Actor, item: AgendaItem, domain: str, title: str, content: str, posted_on: date,
    subject_kind: str = Subject.TOWNSHIP, village: Village | None = None,
    channel: str = Disclosure.Channel.BOARD, display_days: int | None = None,
) -> Disclosure:
    """Post the decision as a 党务 or 政务 disclosure, counted in the quarterly check against the
    decisions' requirement; the item keeps the link.

    The committee is the township's, so by default the disclosure is the township's own (镇本级
    党务/政务); the office may post it for one village instead (`subject_kind` village and the
    village), e.g. a decision that concerns that village alone."""

    from supervision.services.disclosures import disclosure_create

    if not can_publish(actor):
        raise NotAllowed(_("只有党政办可以发布决策公开。"))
    item = AgendaItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    _own_township(actor, item.township_id)
    if item.status != AgendaItem.Status.DECIDED:
        raise StateError(_("议题尚未作出决策，不能公开。"))
    if item.disclosure_id is not None:
        raise StateError(_("该决策已公开，不能重复发布。"))
    if domain not in DECISION_CATEGORIES:
        raise ValidationError({"domain": _("决策只能作为党务或政务公开。")})
    if subject_kind not in (Subject.TOWNSHIP, Subject.VILLAGE):
        raise ValidationError({"subject_kind": _("决策只能以本镇或本镇的一个村为公开主体。")})
    if subject_kind == Subject.VILLAGE and village is None:
        raise ValidationError({"village": _("请选择公开的村。")})
    if subject_kind == Subject.VILLAGE and village is not None and village.township_id != item.township_id:
        raise ValidationError({"village": _("请选择本镇的村。")})
    requirement = decision_requirement(item.township_id, domain, subject_kind)
    day = item.meeting_date or timezone.localdate()
    disclosure = disclosure_create(
        actor=actor, subject_kind=subject_kind, village=village if subject_kind == Subject.VILLAGE else None,
        township=item.township, title=title, content=content, period_start=day,
        period_end=day, posted_on=posted_on, requirement=requirement, domain=domain,
        category=DECISION_CATEGORIES[domain], decision_date=day, channel=channel, display_days=display_days)
    item.disclosure = disclosure
    item.save(update_fields=["disclosure"])
    return disclosure

