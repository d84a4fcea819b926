"""工作动态: diaries, household coverage, matters and pledges of the period."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q

from bulletins.figures.period import Period, rate
from cadres.calendar import excused_days, workdays
from cadres.models import Cadre, ExcusedAbsence, HouseholdContact, Township
from supervision.models import (
    Diary,
    Matter,
    Pledge,
)
from supervision.services.completeness import Coverage, coverage

if TYPE_CHECKING:
    from bulletins.county import CountyFigures


def diary_completeness(township: Township, period: Period) -> dict[str, Any]:
    """Township-level cadres: diaries expected (workdays less excused days) vs written vs on time.

    Only diaries written for expected days count as written, so the rate never passes 100 %.
    """
    days = workdays(period.start, period.end, township.pk)
    duty = Cadre.objects.filter(township=township, level=Cadre.Level.TOWNSHIP, is_active=True)
    cadre_ids = list(duty.values_list("pk", flat=True))
    dayset = set(days)
    excused = sum(len(d & dayset) for d in excused_days(cadre_ids, period.start, period.end).values())
    expected = len(days) * len(cadre_ids) - excused
    excused_that_day = ExcusedAbsence.objects.filter(
        cadre_id=OuterRef("author_id"), start__lte=OuterRef("date"), end__gte=OuterRef("date")
    )
    counted = (
        Diary.objects.filter(
            township=township,
            date__in=days,
            deleted_at__isnull=True,
            author__level=Cadre.Level.TOWNSHIP,
            author__is_active=True,
        )
        .exclude(Exists(excused_that_day))
        .aggregate(written=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
    )
    in_period = Diary.objects.filter(township=township, date__range=(period.start, period.end), deleted_at__isnull=True)
    by_category = list(in_period.values("category").annotate(count=Count("id")).order_by("-count", "category"))
    totals = in_period.aggregate(
        total=Count("id"),
        with_problems=Count("id", filter=~Q(problems="")),
        with_ideas=Count("id", filter=~Q(ideas="")),
    )
    return {
        "workdays": len(days),
        "cadres": len(cadre_ids),
        "excused_days": excused,
        "expected": expected,
        "written": counted["written"],
        "on_time": counted["on_time"],
        "rate": rate(counted["written"], expected),
        "on_time_rate": rate(counted["on_time"], counted["written"]),
        "total": totals["total"],
        "with_problems": totals["with_problems"],
        "with_ideas": totals["with_ideas"],
        "by_category": [{"category": row["category"], "count": row["count"]} for row in by_category],
    }


def household_coverage(township: Township, period: Period) -> dict[str, Any]:
    """Contact households (联系户) active in the period, and how many their cadre visited."""
    return coverage_figures(coverage(start=period.start, end=period.end, township_ids=[township.pk]))


def coverage_figures(rows: list[Coverage]) -> dict[str, Any]:
    """All contacts and the poor party members' (困难党员户) among them, visited or not."""
    poor = [row for row in rows if row.kind == HouseholdContact.Kind.POOR_PARTY_MEMBER]
    agg = {
        "contacts": sum(row.total for row in rows),
        "visited": sum(row.visited for row in rows),
        "poor_contacts": sum(row.total for row in poor),
        "poor_visited": sum(row.visited for row in poor),
    }
    return {**agg, "rate": rate(agg["visited"], agg["contacts"]), "poor_rate": rate(agg["poor_visited"], agg["poor_contacts"])}


def _overdue_at_end(township: Township | None, period: Period):  # type: ignore[no-untyped-def]
    """Matters whose deadline passed before the period ended and that were not resolved by then
    (of every township when `township` is None).

    Open matters come from the (status, deadline) index; resolved ones only if resolved after the
    period, so the query follows the backlog, not all history.
    """
    matters = Matter.objects.filter(
        Q(status__in=Matter.OPEN_STATUSES) | Q(resolved_at__gte=period.end_before),
        deadline__lt=period.end,
        created_at__lt=period.end_before,
    )
    return matters if township is None else matters.filter(township=township)


def matter_figures(township: Township, period: Period, county: CountyFigures | None = None) -> dict[str, Any]:
    if county is not None:
        return {**county.matters(township.pk), "overdue": county.overdue(township.pk)[0]}
    raised = Matter.objects.filter(period.timestamps("created_at"), township=township)
    raised_agg = raised.aggregate(
        raised=Count("id"), from_diaries=Count("id", filter=Q(source=Matter.Source.DIARY))
    )
    resolved = Matter.objects.filter(period.timestamps("resolved_at"), township=township).aggregate(
        resolved=Count("id"),
        satisfied=Count("id", filter=Q(satisfaction__in=[Matter.Satisfaction.SATISFIED,
                                                         Matter.Satisfaction.BASICALLY_SATISFIED])),
    )
    closed = Matter.objects.filter(period.timestamps("closed_at"), township=township).count()
    overdue = _overdue_at_end(township, period).count()
    by_source = raised.values("source").annotate(count=Count("id")).order_by("-count", "source")
    by_category = raised.values("category").annotate(count=Count("id")).order_by("-count", "category")
    return {
        "raised": raised_agg["raised"],
        "from_diaries": raised_agg["from_diaries"],
        "resolved": resolved["resolved"],
        "satisfied": resolved["satisfied"],
        "closed": closed,
        "overdue": overdue,
        "by_source": [{"source": r["source"], "count": r["count"]} for r in by_source],
        "by_category": [{"category": r["category"], "count": r["count"]} for r in by_category],
    }


def pledge_progress(township: Township, period: Period) -> dict[str, Any]:
    """The year's pledges by status (the year of the period's end)."""
    year = period.end.year
    counts = dict.fromkeys(Pledge.Status.values, 0)
    for row in Pledge.objects.filter(township=township, year=year).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return pledge_figures(year, counts)


def pledge_figures(year: int, counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    effective = counts[Pledge.Status.COUNTERSIGNED] + counts[Pledge.Status.ASSESSED]
    return {
        "year": year,
        "total": total,
        "by_status": [{"status": s, "count": counts[s]} for s in Pledge.Status.values],
        "effective": effective,
        "effective_rate": rate(effective, total),
    }
