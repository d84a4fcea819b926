"""The heaviest bulletin figures for every township of the county at once.

The monthly job compiles one bulletin per township. Counted township by township, the diaries,
contact households and matters cost three to four grouped statements each, twenty times over;
here each is one statement grouped by township, and `compile_figures(…, county=…)` reads its
township's share. The results are the same as bulletins.figures' per-township functions
(tests/bulletins/test_county.py compares them on every key).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from cadres.calendar import excused_days, workdays_by_township
from cadres.models import Cadre, ExcusedAbsence, Township, Training, TrainingAttendance
from supervision.models import (
    AgendaItem,
    Diary,
    DisclosureCheck,
    Inspection,
    InspectionFinding,
    Matter,
    PlanMilestone,
    Pledge,
)
from supervision.services.completeness import coverage

from .figures import (
    CHECK_AGGREGATES,
    FINDING_COLUMNS,
    GAP_COLUMNS,
    IDEA_COLUMNS,
    LIST_LIMIT,
    Period,
    _overdue_at_end,
    coverage_figures,
    disclosure_figures,
    domain_counts,
    finding_row,
    gap_rows,
    idea_row,
    missing_categories,
    place_row,
    plan_figures,
    plan_milestone_rows,
    pledge_figures,
    quarter_of,
    rate,
    trainings_row,
)
from .figures.compilation import GROUP_LIMIT, problem_group_row, problem_groups_query


class CountyFigures:
    """Figures of one period for the given townships (all of them by default), counted once."""

    def __init__(self, period: Period, township_ids: list[int] | None = None) -> None:
        self.period = period
        self.township_ids = township_ids
        self._diaries: dict[int, dict[str, Any]] | None = None
        self._households: dict[int, dict[str, Any]] | None = None
        self._matters: dict[int, dict[str, Any]] | None = None
        self._trainings: dict[int, dict[str, Any]] | None = None
        self._pledges: dict[int, dict[str, Any]] | None = None
        self._overdue: dict[int, tuple[int, list[dict[str, Any]]]] | None = None
        self._inspections: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] | None = None
        self._disclosure: dict[int, tuple[dict[str, Any] | None, list[dict[str, Any]]]] | None = None
        self._ideas: dict[int, dict[str, Any]] | None = None
        self._plans: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] | None = None
        self._groups: dict[int, list[dict[str, Any]]] | None = None

    def _in_townships(self, qs: Any, field: str = "township_id") -> Any:
        return qs if self.township_ids is None else qs.filter(**{f"{field}__in": self.township_ids})

    # --- diaries ------------------------------------------------------------------------------

    def diaries(self, township_id: int) -> dict[str, Any]:
        if self._diaries is None:
            self._diaries = self._count_diaries()
        return self._diaries.get(township_id) or self._empty_diaries(township_id)

    # Long on purpose: the county-wide counterpart of figures.diary_completeness, kept in one piece so the two read
    # side by side.
    def _count_diaries(self) -> dict[int, dict[str, Any]]:
        period = self.period
        members: dict[int, list[int]] = defaultdict(list)
        duty = self._in_townships(Cadre.objects.filter(level=Cadre.Level.TOWNSHIP, is_active=True))
        for township_id, cadre_id in duty.values_list("township_id", "pk"):
            members[township_id].append(cadre_id)
        township_ids = self.township_ids or list(Township.objects.values_list("pk", flat=True))
        self._days = workdays_by_township(period.start, period.end, township_ids)
        daysets = {township_id: set(days) for township_id, days in self._days.items()}
        excused = excused_days(duty.values("pk"), period.start, period.end)
        # Only the absences that touch the period: PostgreSQL hashes the whole subquery.
        excused_that_day = ExcusedAbsence.objects.filter(start__lte=period.end, end__gte=period.start).filter(
            cadre_id=OuterRef("author_id"), start__lte=OuterRef("date"), end__gte=OuterRef("date")
        )
        # Written and on time per township and day; each township keeps only its own workdays.
        by_day = (
            self._in_townships(Diary.objects.filter(
                date__range=(period.start, period.end), deleted_at__isnull=True,
                author__level=Cadre.Level.TOWNSHIP, author__is_active=True,
            ))
            .exclude(Exists(excused_that_day))
            .values("township_id", "date")
            .annotate(written=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
            .order_by()
        )
        written: dict[int, int] = defaultdict(int)
        on_time: dict[int, int] = defaultdict(int)
        for row in by_day:
            if row["date"] in daysets.get(row["township_id"], ()):
                written[row["township_id"]] += row["written"]
                on_time[row["township_id"]] += row["on_time"]
        in_period = self._in_townships(
            Diary.objects.filter(date__range=(period.start, period.end), deleted_at__isnull=True)
        )
        # Totals and categories from one pass over the period's diaries.
        totals: dict[int, dict[str, int]] = {}
        categories: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in in_period.values("township_id", "category").annotate(
            count=Count("id"), with_problems=Count("id", filter=~Q(problems="")),
            with_ideas=Count("id", filter=~Q(ideas="")),
        ).order_by("township_id", "-count", "category"):
            categories[row["township_id"]].append({"category": row["category"], "count": row["count"]})
            total = totals.setdefault(row["township_id"], {"total": 0, "with_problems": 0, "with_ideas": 0})
            total["total"] += row["count"]
            total["with_problems"] += row["with_problems"]
            total["with_ideas"] += row["with_ideas"]
        out: dict[int, dict[str, Any]] = {}
        for township_id in set(members) | set(totals):
            days = self._days.get(township_id, [])
            dayset = daysets.get(township_id, set())
            cadres = members.get(township_id, [])
            excused_count = sum(len(excused.get(c, set()) & dayset) for c in cadres)
            expected = len(days) * len(cadres) - excused_count
            total = totals.get(township_id, {})
            out[township_id] = {
                "workdays": len(days),
                "cadres": len(cadres),
                "excused_days": excused_count,
                "expected": expected,
                "written": written[township_id],
                "on_time": on_time[township_id],
                "rate": rate(written[township_id], expected),
                "on_time_rate": rate(on_time[township_id], written[township_id]),
                "total": total.get("total", 0),
                "with_problems": total.get("with_problems", 0),
                "with_ideas": total.get("with_ideas", 0),
                "by_category": categories.get(township_id, []),
            }
        return out

    def _empty_diaries(self, township_id: int) -> dict[str, Any]:
        days = self._days.get(township_id, [])
        return {"workdays": len(days), "cadres": 0, "excused_days": 0, "expected": 0, "written": 0, "on_time": 0,
                "rate": None, "on_time_rate": None, "total": 0, "with_problems": 0, "with_ideas": 0,
                "by_category": []}

    # --- contact households ---------------------------------------------------------------------

    def households(self, township_id: int) -> dict[str, Any]:
        if self._households is None:
            self._households = self._count_households()
        return self._households.get(township_id) or coverage_figures([])

    def _count_households(self) -> dict[int, dict[str, Any]]:
        cadres = dict(self._in_townships(Cadre.objects.all()).values_list("pk", "township_id"))
        township_ids = self.township_ids or list(Township.objects.values_list("pk", flat=True))
        rows = coverage(start=self.period.start, end=self.period.end, township_ids=township_ids)
        by_township: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_township[cadres[row.cadre_id]].append(row)
        return {township_id: coverage_figures(group) for township_id, group in by_township.items()}

    # --- matters --------------------------------------------------------------------------------

    def matters(self, township_id: int) -> dict[str, Any]:
        """Raised, resolved and closed in the period (the overdue count: `overdue`)."""
        if self._matters is None:
            self._matters = self._count_matters()
        return self._matters.get(township_id) or _no_matters()

    def _count_matters(self) -> dict[int, dict[str, Any]]:
        period = self.period
        raised = self._in_townships(Matter.objects.filter(period.timestamps("created_at")))
        out: dict[int, dict[str, Any]] = defaultdict(_no_matters)
        # Raised, from diaries, by source and by category: one pass over the period's matters.
        counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: {"source": defaultdict(int),
                                                                              "category": defaultdict(int)})
        for row in raised.values("township_id", "source", "category").annotate(count=Count("id")).order_by():
            figures, by = out[row["township_id"]], counts[row["township_id"]]
            figures["raised"] += row["count"]
            if row["source"] == Matter.Source.DIARY:
                figures["from_diaries"] += row["count"]
            by["source"][row["source"]] += row["count"]
            by["category"][row["category"]] += row["count"]
        for township_id, by in counts.items():
            for key in ("source", "category"):
                # Largest first, then by name: as ORDER BY count DESC, key would give.
                ranked = sorted(by[key].items(), key=lambda item: (-item[1], item[0]))
                out[township_id][f"by_{key}"] = [{key: value, "count": n} for value, n in ranked]
        satisfied = [Matter.Satisfaction.SATISFIED, Matter.Satisfaction.BASICALLY_SATISFIED]
        for row in self._in_townships(Matter.objects.filter(period.timestamps("resolved_at"))).values(
            "township_id"
        ).annotate(resolved=Count("id"), satisfied=Count("id", filter=Q(satisfaction__in=satisfied))).order_by():
            out[row["township_id"]].update(resolved=row["resolved"], satisfied=row["satisfied"])
        for row in self._in_townships(Matter.objects.filter(period.timestamps("closed_at"))).values(
            "township_id"
        ).annotate(closed=Count("id")).order_by():
            out[row["township_id"]]["closed"] = row["closed"]
        return dict(out)

    # --- trainings and pledges ---------------------------------------------------------------

    def trainings(self, township_id: int) -> dict[str, Any]:
        if self._trainings is None:
            self._trainings = self._count_trainings()
        return self._trainings.get(township_id) or trainings_row({}, {}, [])

    def _count_trainings(self) -> dict[int, dict[str, Any]]:
        period = self.period
        trainings = self._in_townships(Training.objects.filter(date__range=(period.start, period.end)))
        held = {row["township_id"]: row for row in trainings.values("township_id").annotate(
            held=Count("id"), hours=Sum("hours")).order_by()}
        attendance = {row["training__township_id"]: row for row in self._in_townships(
            TrainingAttendance.objects.filter(training__date__range=(period.start, period.end)), "training__township_id"
        ).values("training__township_id").annotate(
            enrolled=Count("id"), present=Count("id", filter=Q(present=True))).order_by()}
        kinds: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in trainings.values("township_id", "kind").annotate(count=Count("id")).order_by(
            "township_id", "-count", "kind"
        ):
            kinds[row["township_id"]].append({"kind": row["kind"], "count": row["count"]})
        return {
            township_id: trainings_row(held.get(township_id, {}), attendance.get(township_id, {}),
                                           kinds.get(township_id, []))
            for township_id in set(held) | set(attendance)
        }

    def pledges(self, township_id: int) -> dict[str, Any]:
        if self._pledges is None:
            counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Pledge.Status.values, 0))
            for row in self._in_townships(Pledge.objects.filter(year=self.period.end.year)).values(
                "township_id", "status"
            ).annotate(n=Count("id")).order_by():
                counts[row["township_id"]][row["status"]] = row["n"]
            self._pledges = {t: pledge_figures(self.period.end.year, c) for t, c in counts.items()}
        return self._pledges.get(township_id) or pledge_figures(self.period.end.year,
                                                                dict.fromkeys(Pledge.Status.values, 0))

    # --- overdue matters at the period's end -------------------------------------------------

    def overdue(self, township_id: int) -> tuple[int, list[dict[str, Any]]]:
        """(how many, the first LIST_LIMIT places by unit and village) — as figures.overdue_by_place."""
        if self._overdue is None:
            rows = (
                self._in_townships(_overdue_at_end(None, self.period))
                .values("township_id", "unit__name", "village__name")
                .annotate(count=Count("id"))
                .order_by("township_id", "-count", "unit__name", "village__name")
            )
            counts: dict[int, int] = defaultdict(int)
            places: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                counts[row["township_id"]] += row["count"]
                if len(places[row["township_id"]]) < LIST_LIMIT:
                    places[row["township_id"]].append(place_row(row))
            self._overdue = {t: (counts[t], places[t]) for t in counts}
        return self._overdue.get(township_id, (0, []))

    # --- ideas adopted in the period ---------------------------------------------------------

    def ideas(self, township_id: int) -> dict[str, Any]:
        if self._ideas is None:
            adopted = self._in_townships(AgendaItem.objects.filter(self.period.timestamps("adopted_at"),
                                                                   source=AgendaItem.Source.IDEA))
            ideas: dict[int, dict[str, Any]] = defaultdict(lambda: {"adopted": 0, "decided": 0, "items": []})
            for row in adopted.values("township_id").annotate(
                adopted=Count("id"), decided=Count("id", filter=Q(status=AgendaItem.Status.DECIDED))
            ).order_by():
                ideas[row["township_id"]].update(adopted=row["adopted"], decided=row["decided"])
            for row in adopted.order_by("township_id", "adopted_at", "id").values("township_id", *IDEA_COLUMNS):
                if len(ideas[row["township_id"]]["items"]) < LIST_LIMIT:
                    ideas[row["township_id"]]["items"].append(idea_row(row))
            self._ideas = dict(ideas)
        return self._ideas.get(township_id) or {"adopted": 0, "decided": 0, "items": []}

    # --- village development plans --------------------------------------------------------------

    def plans(self, township_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if self._plans is None:
            grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
            milestones = self._in_townships(PlanMilestone.objects.all(), "plan__township_id")
            for row in plan_milestone_rows(self.period, milestones):
                grouped[row["plan__township_id"]].append(row)
            self._plans = {t: plan_figures(rows) for t, rows in grouped.items()}
        return self._plans.get(township_id) or plan_figures([])

    # --- groups of recurring problems (一类事) -----------------------------------------------------

    def problem_groups(self, township_id: int) -> list[dict[str, Any]]:
        if self._groups is None:
            grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for group in self._in_townships(problem_groups_query(self.period)):
                if len(grouped[group.township_id]) < GROUP_LIMIT:
                    grouped[group.township_id].append(problem_group_row(group))
            self._groups = dict(grouped)
        return self._groups.get(township_id, [])

    # --- inspections -------------------------------------------------------------------------

    def inspections(self, township_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if self._inspections is None:
            self._inspections = self._count_inspections()
        return self._inspections.get(township_id) or ({"held": 0, "findings": 0, "by_category": []}, [])

    def _count_inspections(self) -> dict[int, tuple[dict[str, Any], list[dict[str, Any]]]]:
        period = self.period
        open_to_all = Q(kind=Inspection.Kind.ANNOUNCED) | Q(published_at__isnull=False)
        held = dict(
            self._in_townships(Inspection.objects.filter(open_to_all, date__range=(period.start, period.end)))
            .values("township_id").annotate(n=Count("id")).order_by().values_list("township_id", "n")
        )
        published = self._in_townships(InspectionFinding.objects.filter(
            inspection__published_at__gte=period.start_at, inspection__published_at__lt=period.end_before,
        ), "inspection__township_id")
        counts: dict[int, int] = defaultdict(int)
        categories: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in published.values("inspection__township_id", "category").annotate(count=Count("id")).order_by(
            "inspection__township_id", "-count", "category"
        ):
            counts[row["inspection__township_id"]] += row["count"]
            categories[row["inspection__township_id"]].append({"category": row["category"], "count": row["count"]})
        findings: dict[int, list[dict[str, Any]]] = defaultdict(list)
        # A month's published findings are few; each township keeps its first LIST_LIMIT.
        for row in published.order_by("inspection__township_id", "inspection__published_at", "inspection_id", "id") \
                .values("inspection__township_id", *FINDING_COLUMNS):
            if len(findings[row["inspection__township_id"]]) < LIST_LIMIT:
                findings[row["inspection__township_id"]].append(finding_row(row))
        return {
            township_id: ({"held": held.get(township_id, 0), "findings": counts[township_id],
                           "by_category": categories[township_id]}, findings[township_id])
            for township_id in set(held) | set(counts)
        }

    # --- the latest quarterly disclosure check -------------------------------------------------

    def disclosure(self, township_id: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        if self._disclosure is None:
            self._disclosure = self._count_disclosure()
        return self._disclosure.get(township_id, (None, []))

    def _count_disclosure(self) -> dict[int, tuple[dict[str, Any] | None, list[dict[str, Any]]]]:
        year, quarter = self.period.end.year, quarter_of(self.period.end)
        latest: dict[int, tuple[int, int]] = {}
        for township_id, y, q in (
            self._in_townships(DisclosureCheck.objects.filter(
                Q(year=year, quarter__lte=quarter) | Q(year__in=[year - 1, year - 2])))
            .values_list("township_id", "year", "quarter").distinct()
        ):
            latest[township_id] = max(latest.get(township_id, (0, 0)), (y, q))
        if not latest:
            return {}
        which = Q()
        for township_id, (y, q) in latest.items():
            which |= Q(township_id=township_id, year=y, quarter=q)
        checks = DisclosureCheck.objects.filter(which)
        aggs = {row["township_id"]: row for row in checks.values("township_id").annotate(**CHECK_AGGREGATES).order_by()}
        gap_checks: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in checks.filter(Q(missing_count__gt=0) | Q(late_count__gt=0)).order_by(
            "township_id", "-missing_count", "-late_count", "village__code"
        ).values("township_id", *GAP_COLUMNS):
            if len(gap_checks[row["township_id"]]) < LIST_LIMIT:
                gap_checks[row["township_id"]].append(row)
        categories = missing_categories([c["pk"] for rows in gap_checks.values() for c in rows])
        domains = domain_counts(checks)
        return {
            township_id: (disclosure_figures(y, q, aggs[township_id], domains.get(township_id, [])),
                          gap_rows(gap_checks[township_id], categories))
            for township_id, (y, q) in latest.items()
        }


def _no_matters() -> dict[str, Any]:
    return {"raised": 0, "from_diaries": 0, "resolved": 0, "satisfied": 0, "closed": 0,
            "by_source": [], "by_category": []}
