"""Ideas that reach the party committee: a leader adopts an idea (采纳), the committee decides."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor, Role
from core.errors import NotAllowed, StateError
from core.notifications import CoreKind
from supervision.models import AgendaItem, Diary
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


@transaction.atomic
def agenda_decide(
    *, actor: Actor, item: AgendaItem, decision: str, meeting_date: date | None = None, today: date | None = None
) -> AgendaItem:
    """Record the committee's decision; it links back to the diary and tells its author."""
    if not can_decide(actor):
        raise NotAllowed(_("只有镇领导或党政办可以记录党委决策。"))
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("diary", "diary__author__user")
        .get(pk=item.pk)
    )
    if item.status != AgendaItem.Status.PENDING:
        raise StateError(_("该议题已记录决策，不能重复记录。"))
    decision = require_text("decision", decision, _("请填写决策内容。"))
    check_length("decision", decision, 5000)
    today = today or timezone.localdate()
    if meeting_date is not None and meeting_date > today:
        raise ValidationError({"meeting_date": _("会议日期不能晚于今天。")})
    adopted_on = timezone.localdate(item.adopted_at)
    if (meeting_date or today) < adopted_on:
        # The committee cannot have decided an idea before it was put on its agenda.
        raise ValidationError({"meeting_date": _("会议日期不能早于建议被采纳的日期（%(day)s）。") % {
            "day": cn_date(adopted_on)}})
    item.status = AgendaItem.Status.DECIDED
    item.decision = decision
    item.meeting_date = meeting_date or today
    item.decided_at = timezone.now()
    item.decided_by_id = actor.user_id
    item.save(update_fields=["status", "decision", "meeting_date", "decided_at", "decided_by"])
    author_user = item.diary.author.user
    notify_after_commit(
        users=lambda: [author_user],
        kind=NotificationKind.IDEA_DECIDED,
        title=_("党委已就您的建议作出决策：%(title)s") % {"title": item.title[:60]},
        body=decision[:500],
        url=reverse("diary-show", args=[item.diary_id]),
    )
    return item
