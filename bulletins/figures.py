"""The figures a bulletin reports, aggregated in the database for one township and one period.

Every query is bounded by the period (or the period's year / latest quarter), so compiling a
month costs the same in the first year as in the fifth (docs/design.md §7). Nothing here names or
ranks individual cadres: problems are grouped by unit or village (docs/design.md §2.1).

The result is plain JSON (ints, floats, strings, ISO dates): it is stored on the bulletin and
frozen on publication, so the page, PDF, XLSX and DOCX of a published bulletin never change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.calendar import excused_days, workdays
from cadres.models import Cadre, ExcusedAbsence, HouseholdContact, Township, Training, TrainingAttendance, Village
from supervision.models import (
    AgendaItem,
    Diary,
    DisclosureCheck,
    DisclosureCheckItem,
    Domain,
    Inspection,
    InspectionFinding,
    Matter,
    PlanMilestone,
    Pledge,
    ProblemGroup,
    Subject,
)
from supervision.services.completeness import Coverage, coverage

if TYPE_CHECKING:
    from .county import CountyFigures

FIGURES_VERSION = 1
# Lists printed in a bulletin stay readable; the totals beside them are always complete.
LIST_LIMIT = 30


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period (timestamps are compared with `<`)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def timestamps(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_before})


def rate(part: int | None, whole: int | None) -> float | None:
    """Percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _number(value: Decimal | float | int | None) -> float:
    return float(round(Decimal(value or 0), 1))


# --- 工作动态 ---------------------------------------------------------------------------------


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


def _latest_quarter(township: Township, period: Period) -> tuple[int, int] | None:
    """The latest checked quarter that started on or before the period's end (within two years)."""
    year, quarter = period.end.year, quarter_of(period.end)
    row = (
        DisclosureCheck.objects.filter(
            Q(year=year, quarter__lte=quarter) | Q(year__in=[year - 1, year - 2]), township=township
        )
        .order_by("-year", "-quarter")
        .values("year", "quarter")
        .first()
    )
    return (row["year"], row["quarter"]) if row else None


CHECK_AGGREGATES = {
    "villages": Count("id", filter=Q(subject_kind=Subject.VILLAGE)),
    "township_checks": Count("id", filter=Q(subject_kind=Subject.TOWNSHIP)),
    "schools": Count("id", filter=Q(subject_kind=Subject.SCHOOL)),
    "checks": Count("id"),
    "on_time": Sum("on_time_count"),
    "late": Sum("late_count"),
    "missing": Sum("missing_count"),
    "average_score": Avg("score"),
    "villages_with_gaps": Count("id", filter=Q(missing_count__gt=0) | Q(late_count__gt=0)),
    "reviewed": Count("id", filter=Q(status=DisclosureCheck.Status.REVIEWED)),
}


def disclosure_compliance(township: Township, period: Period) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Figures of the latest quarterly check, and the villages with gaps (missing or late items)."""
    latest = _latest_quarter(township, period)
    if latest is None:
        return None, []
    year, quarter = latest
    checks = DisclosureCheck.objects.filter(township=township, year=year, quarter=quarter)
    agg = checks.aggregate(**CHECK_AGGREGATES)
    figures = disclosure_figures(year, quarter, agg, domain_counts(checks).get(township.pk, []))
    gap_checks = list(
        checks.filter(Q(missing_count__gt=0) | Q(late_count__gt=0))
        .order_by("-missing_count", "-late_count", "village__code")
        .values(*GAP_COLUMNS)[:LIST_LIMIT]
    )
    return figures, gap_rows(gap_checks, missing_categories([c["pk"] for c in gap_checks]))


GAP_COLUMNS = ("pk", "subject_kind", "village__name", "school__name", "township__name", "missing_count", "late_count",
               "score", "rectification_deadline")


def domain_counts(checks: Any) -> dict[int, list[dict[str, Any]]]:
    """Each township's items of the given checks by domain (党务, 政务, 村务, 校务, 财务): on time,
    late, missing; one grouped query."""
    found: dict[int, dict[str, dict[str, Any]]] = {}
    for row in (
        DisclosureCheckItem.objects.filter(check_run__in=checks)
        .values("check_run__township_id", "requirement__domain", "result")
        .annotate(n=Count("id"))
        .order_by()
    ):
        domains = found.setdefault(row["check_run__township_id"], {})
        counts = domains.setdefault(row["requirement__domain"], {
            "domain": row["requirement__domain"], "on_time": 0, "late": 0, "missing": 0})
        counts[row["result"]] += row["n"]
    order = list(Domain.values)
    return {tid: sorted(domains.values(), key=lambda d: order.index(d["domain"])) for tid, domains in found.items()}


def disclosure_figures(year: int, quarter: int, agg: dict[str, Any],
                       by_domain: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    items = agg["on_time"] + agg["late"] + agg["missing"] if agg["checks"] else 0
    return {
        "year": year,
        "quarter": quarter,
        "villages": agg["villages"],
        "township_checks": agg["township_checks"],
        "schools": agg["schools"],
        "by_domain": by_domain or [],
        "reviewed": agg["reviewed"],
        "on_time": agg["on_time"] or 0,
        "late": agg["late"] or 0,
        "missing": agg["missing"] or 0,
        "rate": rate(agg["on_time"], items),
        "average_score": _number(agg["average_score"]),
        "villages_with_gaps": agg["villages_with_gaps"],
    }


def missing_categories(check_ids: list[int]) -> dict[int, list[str]]:
    """The categories of the missing items of each check."""
    categories: dict[int, list[str]] = {}
    item_rows = (
        DisclosureCheckItem.objects.filter(check_run_id__in=check_ids, result=DisclosureCheckItem.Result.MISSING)
        .order_by("check_run_id", "requirement__order", "requirement_id")
        .values_list("check_run_id", "requirement__category")
        .distinct()
    )
    for check_id, category in item_rows:
        categories.setdefault(check_id, []).append(category)
    return categories


def gap_rows(gap_checks: list[dict[str, Any]], categories: dict[int, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            # Named "village" since the bulletins of 2026: a gap's subject, a village, a school or the township.
            "village": _subject_name(c),
            "subject_kind": c["subject_kind"],
            "missing": c["missing_count"],
            "late": c["late_count"],
            "score": _number(c["score"]),
            "missing_categories": categories.get(c["pk"], []),
            "rectification_deadline": c["rectification_deadline"].isoformat() if c["rectification_deadline"] else None,
        }
        for c in gap_checks
    ]


def _subject_name(row: dict[str, Any]) -> str:
    if row["subject_kind"] == Subject.SCHOOL:
        return row["school__name"] or ""
    if row["subject_kind"] == Subject.TOWNSHIP:
        return str(_("%(township)s（镇本级）") % {"township": row["township__name"]})
    return row["village__name"] or ""


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


# --- the whole compilation ---------------------------------------------------------------------------


def problem_group_rows(township: Township, period: Period) -> list[dict[str, Any]]:
    """群众反映集中的问题: the period's groups of recurring problems (一类事), largest first — problems,
    never people. Only groups computed for exactly the bulletin's period are read."""
    groups = (
        ProblemGroup.objects.filter(township=township, period_start=period.start, period_end=period.end)
        .select_related("agenda_item")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("code").only("id", "name", "code")))
        .order_by("-village_count", "-diary_count", "-matter_count", "id")[:20]
    )
    return [{
        "label": g.label, "keywords": list(g.keywords), "villages": [v.name for v in g.villages.all()],
        "diaries": g.diary_count, "matters": g.matter_count, "trend": g.trend,
        "agenda": g.agenda_item.status if g.agenda_item_id and g.agenda_item else "",
    } for g in groups]


def compile_figures(
    township: Township, start: dt.date, end: dt.date, county: CountyFigures | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(figures, problems) for one township and period; see docs/bulletins.md for the keys.

    `county` (bulletins.county) supplies the heaviest figures counted for every township at once,
    when the whole county is compiled together.
    """
    period = Period(start, end)
    if county is not None:
        disclosure, gaps = county.disclosure(township.pk)
        inspections, findings = county.inspections(township.pk)
    else:
        disclosure, gaps = disclosure_compliance(township, period)
        inspections, findings = inspection_figures(township, period)
    figures = {
        "version": FIGURES_VERSION,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "diaries": county.diaries(township.pk) if county else diary_completeness(township, period),
        "households": county.households(township.pk) if county else household_coverage(township, period),
        "matters": matter_figures(township, period, county),
        "ideas": county.ideas(township.pk) if county else adopted_ideas(township, period),
        "pledges": county.pledges(township.pk) if county else pledge_progress(township, period),
        "disclosure": disclosure,
        "trainings": county.trainings(township.pk) if county else training_figures(township, period),
        "inspections": inspections,
    }
    plans, plan_rows = county.plans(township.pk) if county else plan_progress(township, period)
    figures["plans"] = plans
    problems = [
        {"kind": "inspection_findings", "rows": findings},
        {"kind": "overdue_matters",
         "rows": county.overdue(township.pk)[1] if county else overdue_by_place(township, period)},
        {"kind": "disclosure_gaps", "rows": gaps},
        {"kind": "plan_progress", "rows": plan_rows},
        {"kind": "problem_groups", "rows": problem_group_rows(township, period)},
    ]
    return figures, problems
