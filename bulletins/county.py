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

from django.db.models import Count, Exists, OuterRef, Q

from cadres.calendar import excused_days, workdays_by_township
from cadres.models import Cadre, ExcusedAbsence, HouseholdContact, Township
from supervision.models import Diary, Matter
from supervision.services.completeness import coverage

from .figures import Period, rate


class CountyFigures:
    """Figures of one period for the given townships (all of them by default), counted once."""

    def __init__(self, period: Period, township_ids: list[int] | None = None) -> None:
        self.period = period
        self.township_ids = township_ids
        self._diaries: dict[int, dict[str, Any]] | None = None
        self._households: dict[int, dict[str, Any]] | None = None
        self._matters: dict[int, dict[str, Any]] | None = None

    def _in_townships(self, qs: Any, field: str = "township_id") -> Any:
        return qs if self.township_ids is None else qs.filter(**{f"{field}__in": self.township_ids})

    # --- diaries ------------------------------------------------------------------------------

    def diaries(self, township_id: int) -> dict[str, Any]:
        if self._diaries is None:
            self._diaries = self._count_diaries()
        return self._diaries.get(township_id) or self._empty_diaries(township_id)

    def _count_diaries(self) -> dict[int, dict[str, Any]]:
        period = self.period
        members: dict[int, list[int]] = defaultdict(list)
        duty = self._in_townships(Cadre.objects.filter(level=Cadre.Level.TOWNSHIP, is_active=True))
        for township_id, cadre_id in duty.values_list("township_id", "pk"):
            members[township_id].append(cadre_id)
        township_ids = self.township_ids or list(Township.objects.values_list("pk", flat=True))
        self._days = workdays_by_township(period.start, period.end, township_ids)
        daysets = {township_id: set(days) for township_id, days in self._days.items()}
        excused = excused_days([c for ids in members.values() for c in ids], period.start, period.end)
        excused_that_day = ExcusedAbsence.objects.filter(
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
        totals = {
            row["township_id"]: row
            for row in in_period.values("township_id").annotate(
                total=Count("id"), with_problems=Count("id", filter=~Q(problems="")),
                with_ideas=Count("id", filter=~Q(ideas="")),
            ).order_by()
        }
        categories: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in in_period.values("township_id", "category").annotate(count=Count("id")).order_by(
            "township_id", "-count", "category"
        ):
            categories[row["township_id"]].append({"category": row["category"], "count": row["count"]})
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
        return self._households.get(township_id) or _coverage_figures([])

    def _count_households(self) -> dict[int, dict[str, Any]]:
        cadres = dict(self._in_townships(Cadre.objects.all()).values_list("pk", "township_id"))
        township_ids = self.township_ids or list(Township.objects.values_list("pk", flat=True))
        rows = coverage(start=self.period.start, end=self.period.end, township_ids=township_ids)
        by_township: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_township[cadres[row.cadre_id]].append(row)
        return {township_id: _coverage_figures(group) for township_id, group in by_township.items()}

    # --- matters --------------------------------------------------------------------------------

    def matters(self, township_id: int) -> dict[str, Any] | None:
        """Raised, resolved and closed in the period; the overdue count stays per township."""
        if self._matters is None:
            self._matters = self._count_matters()
        return self._matters.get(township_id)

    def _count_matters(self) -> dict[int, dict[str, Any]]:
        period = self.period
        raised = self._in_townships(Matter.objects.filter(period.timestamps("created_at")))
        out: dict[int, dict[str, Any]] = defaultdict(lambda: {
            "raised": 0, "from_diaries": 0, "resolved": 0, "satisfied": 0, "closed": 0,
            "by_source": [], "by_category": [],
        })
        for row in raised.values("township_id").annotate(
            raised=Count("id"), from_diaries=Count("id", filter=Q(source=Matter.Source.DIARY))
        ).order_by():
            out[row["township_id"]].update(raised=row["raised"], from_diaries=row["from_diaries"])
        satisfied = [Matter.Satisfaction.SATISFIED, Matter.Satisfaction.BASICALLY_SATISFIED]
        for row in self._in_townships(Matter.objects.filter(period.timestamps("resolved_at"))).values(
            "township_id"
        ).annotate(resolved=Count("id"), satisfied=Count("id", filter=Q(satisfaction__in=satisfied))).order_by():
            out[row["township_id"]].update(resolved=row["resolved"], satisfied=row["satisfied"])
        for row in self._in_townships(Matter.objects.filter(period.timestamps("closed_at"))).values(
            "township_id"
        ).annotate(closed=Count("id")).order_by():
            out[row["township_id"]]["closed"] = row["closed"]
        for key in ("source", "category"):
            for row in raised.values("township_id", key).annotate(count=Count("id")).order_by(
                "township_id", "-count", key
            ):
                out[row["township_id"]][f"by_{key}"].append({key: row[key], "count": row["count"]})
        return dict(out)


def _coverage_figures(rows: list[Any]) -> dict[str, Any]:
    poor = [row for row in rows if row.kind == HouseholdContact.Kind.POOR_PARTY_MEMBER]
    agg = {
        "contacts": sum(row.total for row in rows),
        "visited": sum(row.visited for row in rows),
        "poor_contacts": sum(row.total for row in poor),
        "poor_visited": sum(row.visited for row in poor),
    }
    return {**agg, "rate": rate(agg["visited"], agg["contacts"]), "poor_rate": rate(agg["poor_visited"], agg["poor_contacts"])}
