"""Drafting a plan: create, edit, add goals and milestones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cadres.models import Cadre, Village
from cadres.roles import Actor
from core.errors import NotAllowed
from supervision.models import Plan, PlanGoal, PlanMilestone
from supervision.services._common import check_length, require_text
from supervision.services.plans.rules import (
    BACKGROUND_LIMIT,
    MAX_GOALS,
    MAX_MILESTONES,
    TITLE_LIMIT,
    S,
    _check_period,
    _locked,
    _new_goal,
    _new_milestone,
    _not_a_draft,
    can_draft,
    can_edit,
)


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    village: Village,
    title: str,
    period_start: date,
    period_end: date,
    background: str = "",
    goals: Sequence[Mapping[str, Any]] = (),
    milestones: Sequence[Mapping[str, Any]] = (),
) -> Plan:
    """起草: a draft for a village the actor works in, optionally with its goals and milestones."""
    if not village.is_active or not can_draft(actor, village):
        raise NotAllowed(_("只有本村的包村干部或村干部可以起草发展规划。"))
    title = require_text("title", title, _("请填写规划名称。"))
    check_length("title", title, TITLE_LIMIT)
    background = (background or "").strip()
    check_length("background", background, BACKGROUND_LIMIT)
    _check_period(period_start, period_end)
    if len(goals) > MAX_GOALS or len(milestones) > MAX_MILESTONES:
        raise ValidationError({"goals": _("目标或节点过多。")})
    plan = Plan.objects.create(
        township_id=village.township_id, village=village, title=title, background=background,
        period_start=period_start, period_end=period_end, drafted_by=actor.cadre,
    )
    for order, goal in enumerate(goals):
        _new_goal(plan, order=order, **goal)
    for milestone in milestones:
        _new_milestone(plan, **milestone)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: Plan,
    title: str | None = None,
    background: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Plan:
    """Edit a draft: the assigned cadre and the village cadres alike."""
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if title is not None:
        plan.title = require_text("title", title, _("请填写规划名称。"))
        check_length("title", plan.title, TITLE_LIMIT)
    if background is not None:
        plan.background = background.strip()
        check_length("background", plan.background, BACKGROUND_LIMIT)
    plan.period_start = period_start or plan.period_start
    plan.period_end = period_end or plan.period_end
    _check_period(plan.period_start, plan.period_end)
    if plan.milestones.filter(Q(due__lt=plan.period_start) | Q(due__gt=plan.period_end)).exists():
        raise ValidationError({"period_end": _("已有节点的完成期限不在新的规划期内。")})
    plan.save()
    return plan


@transaction.atomic
def goal_add(
    *, actor: Actor, plan: Plan, indicator: str, target: Any, unit: str = "", baseline: Any = 0
) -> PlanGoal:
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if plan.goals.count() >= MAX_GOALS:
        raise ValidationError({"indicator": _("目标或节点过多。")})
    return _new_goal(plan, indicator=indicator, unit=unit, baseline=baseline, target=target,
                     order=plan.goals.count())


@transaction.atomic
def milestone_add(
    *, actor: Actor, plan: Plan, title: str, due: date, responsible: Cadre | None = None
) -> PlanMilestone:
    """A milestone of a draft; an approved plan takes new ones through plan_revise."""
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if plan.milestones.count() >= MAX_MILESTONES:
        raise ValidationError({"title": _("目标或节点过多。")})
    return _new_milestone(plan, title=title, due=due, responsible=responsible)
