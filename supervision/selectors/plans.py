"""Reads of village development plans (帮村发展规划), scoped like the village's other records.

Township-wide roles (leaders, office, inspector, reporter, county) see the township's plans; a
cadre sees the plans of the villages they are assigned to (包村) or lead; a village cadre their own
village's; a unit head or leader in charge also the villages their units' cadres are assigned to
(they approve those plans). Milestones carry the deadline lights of matters: red overdue, yellow
due within MATTER_YELLOW_DAYS, green otherwise, none once done.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cadres.models import VillageAssignment
from cadres.roles import Actor
from cadres.scope import active_on, managed_unit_ids, township_or_cadre_scope
from supervision.models import Plan, PlanGoal, PlanMilestone, PlanRevision

from .matters import GREEN, LIGHT_LABELS, RED, YELLOW, yellow_days

__all__ = [
    "GREEN",
    "LIGHT_LABELS",
    "RED",
    "YELLOW",
    "citable_milestones",
    "milestone_detail_queryset",
    "milestone_light",
    "milestone_light_expression",
    "milestone_list",
    "milestones_for",
    "overdue_milestones_q",
    "plan_detail",
    "plan_detail_queryset",
    "plan_list",
    "plan_progress_log",
    "plans_for",
]


def _village_cond(actor: Actor, field: str) -> Q:
    """The villages a cadre works in or oversees, as subqueries (no query of its own)."""
    assert actor.cadre is not None
    active = VillageAssignment.objects.filter(active_on())
    cond = Q(**{f"{field}__in": active.filter(cadre_id=actor.cadre_id).values("village_id")})
    if actor.cadre.village_id:
        cond |= Q(**{field: actor.cadre.village_id})
    managed = managed_unit_ids(actor)
    if managed:
        cond |= Q(**{f"{field}__in": active.filter(cadre__unit_id__in=managed).values("village_id")})
    return cond


def plans_for(actor: Actor, qs: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    return township_or_cadre_scope(actor, Plan.objects.all() if qs is None else qs,
                                   lambda: _village_cond(actor, "village_id"))


def milestones_for(actor: Actor, qs: QuerySet[PlanMilestone] | None = None) -> QuerySet[PlanMilestone]:
    qs = PlanMilestone.objects.all() if qs is None else qs
    return qs.filter(plan__in=plans_for(actor).values("pk"))


# --- lights ---------------------------------------------------------------------------------------


def milestone_light_expression(today: date | None = None, prefix: str = "") -> Case:
    today = today or timezone.localdate()
    open_q = Q(**{f"{prefix}status": PlanMilestone.Status.OPEN})
    return Case(
        When(open_q & Q(**{f"{prefix}due__lt": today}), then=Value(RED)),
        When(open_q & Q(**{f"{prefix}due__lte": today + timedelta(days=yellow_days())}), then=Value(YELLOW)),
        When(open_q, then=Value(GREEN)),
        default=Value(""),
        output_field=CharField(),
    )


def milestone_light(milestone: PlanMilestone, today: date | None = None) -> str:
    """The same rule for one milestone in memory."""
    today = today or timezone.localdate()
    if not milestone.is_open:
        return ""
    if milestone.due < today:
        return RED
    if milestone.due <= today + timedelta(days=yellow_days()):
        return YELLOW
    return GREEN


def overdue_milestones_q(today: date | None = None, prefix: str = "") -> Q:
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status": PlanMilestone.Status.OPEN, f"{prefix}due__lt": today})


# --- lists and details ----------------------------------------------------------------------------


def plan_list(actor: Actor, *, today: date | None = None) -> QuerySet[Plan]:
    """Plans with their goals, and how many milestones are open, done and overdue."""
    today = today or timezone.localdate()
    return (
        plans_for(actor)
        .select_related("village")
        .prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("order", "id")))
        .annotate(
            milestones_total=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__status=PlanMilestone.Status.DONE),
                                  distinct=True),
            milestones_overdue=Count("milestones", filter=overdue_milestones_q(today, "milestones__"),
                                     distinct=True),
        )
        .order_by("-period_start", "-id")
    )


def plan_detail_queryset(actor: Actor, *, today: date | None = None) -> QuerySet[Plan]:
    today = today or timezone.localdate()
    milestones = (
        PlanMilestone.objects.select_related("responsible")
        .annotate(light=milestone_light_expression(today))
        .order_by("due", "id")
    )
    return (
        plans_for(actor)
        .select_related("village", "township", "drafted_by", "submitted_by", "approved_by")
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.order_by("order", "id")),
            Prefetch("milestones", queryset=milestones),
            Prefetch("revisions", queryset=PlanRevision.objects.select_related("by").order_by("at", "id")),
        )
    )


def plan_detail(actor: Actor, pk: int, *, today: date | None = None) -> Plan:
    return get_object_or_404(plan_detail_queryset(actor, today=today), pk=pk)


def milestone_list(actor: Actor, *, today: date | None = None) -> QuerySet[PlanMilestone]:
    return (
        milestones_for(actor)
        .select_related("plan", "responsible")
        .annotate(light=milestone_light_expression(today))
        .order_by("due", "id")
    )


def milestone_detail_queryset(actor: Actor, *, today: date | None = None) -> QuerySet[PlanMilestone]:
    return milestone_list(actor, today=today)



def citable_milestones(village_ids: list[int], *, current: int | None = None) -> list[PlanMilestone]:
    """The milestones a diary may cite: open ones of the approved plans of the cadre's villages (and
    the one it cites already). One query; none when there is nothing to look in."""
    if not village_ids and current is None:
        return []
    cond = Q(plan__village_id__in=village_ids, plan__status=Plan.Status.APPROVED, status=PlanMilestone.Status.OPEN)
    if current is not None:
        cond |= Q(pk=current)
    return list(PlanMilestone.objects.filter(cond).select_related("plan__village")
                .order_by("plan__village__code", "due", "id"))


def plan_progress_log(actor: Actor, plan: Plan, *, limit: int = 50) -> list[Any]:
    """The diaries that cite the plan's milestones, newest first, as the actor may read them."""
    from .diaries import diaries_for

    return list(diaries_for(actor).filter(milestone__plan=plan).select_related("author", "milestone")
                .order_by("-date", "-id")[:limit])
