"""Submission, approval, return, and the recorded revision of an approved plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor
from core.errors import NotAllowed, StateError
from supervision.models import Plan, PlanRevision
from supervision.notifications import NotificationKind
from supervision.services._common import check_length, cn_date, notify_after_commit, office_users, require_text
from supervision.services.plans.rules import (
    BACKGROUND_LIMIT,
    NOTE_LIMIT,
    TITLE_LIMIT,
    S,
    _check_period,
    _locked,
    _new_milestone,
    _number,
    _url,
    can_approve,
    can_edit,
)


@transaction.atomic
def plan_submit(*, actor: Actor, plan: Plan) -> Plan:
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以提交规划。"))
    if plan.status != S.DRAFT:
        raise StateError(_("只有草稿才能提交（当前：%(status)s）。") % {"status": plan.get_status_display()})
    if not plan.goals.exists():
        raise StateError(_("请至少填写一项目标后再提交。"))
    if not plan.milestones.exists():
        raise StateError(_("请至少填写一个节点后再提交。"))
    plan.status = S.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by_id = actor.user_id
    plan.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    township_id = plan.township_id
    notify_after_commit(
        users=lambda: office_users(township_id),
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划待审批：%(title)s") % {"title": plan.title[:40]},
        body=plan.village.name,
        url=_url(plan),
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Actor, plan: Plan) -> Plan:
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以审批规划。"))
    if plan.status != S.SUBMITTED:
        raise StateError(_("只有已提交的规划才能审批（当前：%(status)s）。") % {"status": plan.get_status_display()})
    if actor.user_id is not None and actor.user_id == plan.submitted_by_id:
        raise NotAllowed(_("不能审批自己提交的规划。"))
    plan.status = S.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by_id = actor.user_id
    plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    submitter_id = plan.submitted_by_id
    notify_after_commit(
        users=lambda: [plan.submitted_by] if submitter_id else [],
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划已审批：%(title)s") % {"title": plan.title[:40]},
        url=_url(plan),
    )
    return plan


@transaction.atomic
def plan_return(*, actor: Actor, plan: Plan, note: str) -> Plan:
    """退回: a submitted plan goes back to draft with the reason, recorded as a revision."""
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以审批规划。"))
    if plan.status != S.SUBMITTED:
        raise StateError(_("只有已提交的规划才能退回（当前：%(status)s）。") % {"status": plan.get_status_display()})
    note = require_text("note", note, _("请填写退回理由。"))
    check_length("note", note, NOTE_LIMIT)
    plan.status = S.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    PlanRevision.objects.create(plan=plan, changes=_("退回修改"), reason=note, by_id=actor.user_id)
    submitter_id = plan.submitted_by_id
    notify_after_commit(
        users=lambda: [plan.submitted_by] if submitter_id else [],
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划被退回：%(title)s") % {"title": plan.title[:40]},
        body=note[:500],
        url=_url(plan),
    )
    return plan


# Long on purpose: each kind of change is checked and described for the revision record before the one write.
@transaction.atomic
def plan_revise(
    *,
    actor: Actor,
    plan: Plan,
    reason: str,
    title: str | None = None,
    background: str | None = None,
    period_end: date | None = None,
    goal_targets: Mapping[int, Any] | None = None,
    milestone_dues: Mapping[int, date] | None = None,
    add_milestones: Sequence[Mapping[str, Any]] = (),
) -> PlanRevision:
    """修订: the only way an approved plan changes; records what changed and why."""
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以修订已审批的规划。"))
    if plan.status != S.APPROVED:
        raise StateError(_("只有已审批的规划需要修订；草稿可直接修改。"))
    reason = require_text("reason", reason, _("请填写修订理由。"))
    check_length("reason", reason, NOTE_LIMIT)
    changes: list[str] = []
    if title is not None and title.strip() and title.strip() != plan.title:
        new_title = title.strip()
        check_length("title", new_title, TITLE_LIMIT)
        changes.append(_("规划名称：%(old)s → %(new)s") % {"old": plan.title, "new": new_title})
        plan.title = new_title
    if background is not None and background.strip() != plan.background:
        check_length("background", background.strip(), BACKGROUND_LIMIT)
        plan.background = background.strip()
        changes.append(_("基本情况已修改"))
    if period_end is not None and period_end != plan.period_end:
        _check_period(plan.period_start, period_end)
        changes.append(_("规划期止：%(old)s → %(new)s") % {"old": cn_date(plan.period_end), "new": cn_date(period_end)})
        plan.period_end = period_end
    goals = {goal.pk: goal for goal in plan.goals.all()}
    for pk, value in (goal_targets or {}).items():
        goal = goals.get(int(pk))
        if goal is None:
            raise ValidationError({"goal_targets": _("目标不属于这份规划。")})
        target = _number("target", value)
        if target != goal.target:
            changes.append(_("%(indicator)s 目标值：%(old)s → %(new)s") % {
                "indicator": goal.indicator, "old": goal.target, "new": target})
            goal.target = target
            goal.save(update_fields=["target"])
    milestones = {m.pk: m for m in plan.milestones.all()}
    for pk, due in (milestone_dues or {}).items():
        milestone = milestones.get(int(pk))
        if milestone is None:
            raise ValidationError({"milestone_dues": _("节点不属于这份规划。")})
        if due != milestone.due:
            if not plan.period_start <= due <= plan.period_end:
                raise ValidationError({"due": _("完成期限须在规划期内（%(start)s至%(end)s）。") % {
                    "start": cn_date(plan.period_start), "end": cn_date(plan.period_end)}})
            changes.append(_("节点“%(title)s”期限：%(old)s → %(new)s") % {
                "title": milestone.title, "old": cn_date(milestone.due), "new": cn_date(due)})
            milestone.due = due
            milestone.save(update_fields=["due"])
    if plan.milestones.filter(Q(due__lt=plan.period_start) | Q(due__gt=plan.period_end)).exists():
        raise ValidationError({"period_end": _("已有节点的完成期限不在新的规划期内。")})
    for values in add_milestones:
        added = _new_milestone(plan, **values)
        changes.append(_("新增节点：%(title)s（%(due)s）") % {"title": added.title, "due": cn_date(added.due)})
    if not changes:
        raise ValidationError({"reason": _("没有修改内容。")})
    plan._change_reason = reason  # type: ignore[attr-defined]  # simple-history records it on the version
    plan.save()
    return PlanRevision.objects.create(plan=plan, changes="\n".join(changes), reason=reason, by_id=actor.user_id)
