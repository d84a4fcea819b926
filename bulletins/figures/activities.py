"""Trainings, adopted ideas, inspections, overdue matters by place, and plan progress."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum

from bulletins.figures.daily import _overdue_at_end
from bulletins.figures.period import LIST_LIMIT, Period, _number, rate
from cadres.models import Township, Training, TrainingAttendance
from supervision.models import (
    AgendaItem,
    Inspection,
    InspectionFinding,
    PlanMilestone,
)


def training_figures(township: Township, period: Period) -> dict[str, Any]:
    trainings = Training.objects.filter(township=township, date__range=(period.start, period.end))
    agg = trainings.aggregate(held=Count("id"), hours=Sum("hours"))
    attendance = TrainingAttendance.objects.filter(
        training__township=township, training__date__range=(period.start, period.end)
    ).aggregate(enrolled=Count("id"), present=Count("id", filter=Q(present=True)))
    by_kind = trainings.values("kind").annotate(count=Count("id")).order_by("-count", "kind")
    return trainings_row(agg, attendance, [{"kind": r["kind"], "count": r["count"]} for r in by_kind])


def trainings_row(held: dict[str, Any], attendance: dict[str, Any], kinds: list[dict[str, Any]]) -> dict[str, Any]:
    """`held` with held and hours, `attendance` with enrolled and present (either may be empty)."""
    return {
        "held": held.get("held", 0),
        "hours": _number(held.get("hours")),
        "enrolled": attendance.get("enrolled", 0),
        "present": attendance.get("present", 0),
        "attendance_rate": rate(attendance.get("present", 0), attendance.get("enrolled", 0)),
        "by_kind": kinds,
    }


def adopted_ideas(township: Township, period: Period) -> dict[str, Any]:
    """Ideas from diaries adopted (采纳) in the period, named by village."""
    adopted = AgendaItem.objects.filter(period.timestamps("adopted_at"), township=township,
                                        source=AgendaItem.Source.IDEA)
    agg = adopted.aggregate(adopted=Count("id"), decided=Count("id", filter=Q(status=AgendaItem.Status.DECIDED)))
    rows = adopted.order_by("adopted_at", "id").values(*IDEA_COLUMNS)[:LIST_LIMIT]
    return {**agg, "items": [idea_row(r) for r in rows]}


IDEA_COLUMNS = ("title", "status", "diary__village__name")


def idea_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"title": r["title"], "village": r["diary__village__name"], "status": r["status"]}


def inspection_figures(township: Township, period: Period) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Inspections of the period that are not confidential, and the findings published (通报) in it."""
    open_to_all = Q(kind=Inspection.Kind.ANNOUNCED) | Q(published_at__isnull=False)
    held = Inspection.objects.filter(open_to_all, township=township, date__range=(period.start, period.end)).count()
    published = InspectionFinding.objects.filter(
        inspection__township=township,
        inspection__published_at__gte=period.start_at,
        inspection__published_at__lt=period.end_before,
    )
    by_category = published.values("category").annotate(count=Count("id")).order_by("-count", "category")
    rows = published.order_by("inspection__published_at", "inspection_id", "id").values(*FINDING_COLUMNS)[:LIST_LIMIT]
    findings = [finding_row(r) for r in rows]
    figures = {
        "held": held,
        "findings": published.count(),
        "by_category": [{"category": r["category"], "count": r["count"]} for r in by_category],
    }
    return figures, findings


FINDING_COLUMNS = (
    "inspection__date",
    "inspection__title",
    "inspection__subject_unit__name",
    "inspection__subject_village__name",
    "inspection__subject_cadre__unit__name",
    "inspection__subject_cadre__village__name",
    "category",
    "description",
    "action",
    "rectification_deadline",
    "rectified_at",
)


def finding_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
            "date": r["inspection__date"].isoformat(),
            "inspection": r["inspection__title"],
            # A finding about a cadre is reported under their unit or village, never their name.
            "subject": (
                r["inspection__subject_unit__name"]
                or r["inspection__subject_village__name"]
                or r["inspection__subject_cadre__unit__name"]
                or r["inspection__subject_cadre__village__name"]
                or ""
            ),
            "category": r["category"],
            "description": r["description"],
            "action": r["action"],
            "rectification_deadline": r["rectification_deadline"].isoformat() if r["rectification_deadline"] else None,
            "rectified": r["rectified_at"] is not None,
    }


def overdue_by_place(township: Township, period: Period) -> list[dict[str, Any]]:
    """Overdue matters at the period's end, by unit and village (never by person)."""
    rows = (
        _overdue_at_end(township, period)
        .values("unit__name", "village__name")
        .annotate(count=Count("id"))
        .order_by("-count", "unit__name", "village__name")[:LIST_LIMIT]
    )
    return [place_row(r) for r in rows]


def place_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"unit": r["unit__name"] or "", "village": r["village__name"], "count": r["count"]}


def plan_milestone_rows(period: Period, milestones: Any) -> list[dict[str, Any]]:
    """Milestones of approved plans grouped by township and village: due in the period, done by its
    end (and of those on time), and overdue at its end whenever they fell due. `milestones` is a
    PlanMilestone queryset already limited to the townships wanted."""
    done_by_end = Q(status=PlanMilestone.Status.DONE, done_on__lte=period.end)
    in_period = Q(due__gte=period.start)
    return list(
        milestones.filter(plan__status="approved", due__lte=period.end)
        .filter(in_period | ~done_by_end)
        .values("plan__township_id", "plan__village__name", "plan__village__code")
        .annotate(
            n_due=Count("id", filter=in_period),
            n_done=Count("id", filter=in_period & done_by_end),
            n_on_time=Count("id", filter=in_period & done_by_end & Q(done_on__lte=F("due"))),
            n_overdue=Count("id", filter=~done_by_end),
        )
        .order_by("plan__township_id", "-n_overdue", "plan__village__code")
    )


def plan_figures(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One township's plan progress from its rows of plan_milestone_rows: totals, and by village."""
    totals = {key: sum(r[f"n_{key}"] for r in rows) for key in ("due", "done", "on_time", "overdue")}
    by_village = [{"village": r["plan__village__name"], "due": r["n_due"], "done": r["n_done"],
                   "overdue": r["n_overdue"]} for r in rows[:LIST_LIMIT]]
    return {**totals, "villages": len(rows)}, by_village


def plan_progress(township: Township, period: Period) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Village development plans (approved) in the period: see plan_milestone_rows."""
    return plan_figures(plan_milestone_rows(period, PlanMilestone.objects.filter(plan__township=township)))
