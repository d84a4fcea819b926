"""村务公开: the latest quarter's checks, their domains and gaps."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext as _

from bulletins.figures.period import LIST_LIMIT, Period, _number, quarter_of, rate
from cadres.models import Township
from supervision.models import (
    DisclosureCheck,
    DisclosureCheckItem,
    Domain,
    Subject,
)


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
