"""Reports of the duties as JSON, CSV or XLSX (DESIGN.md §6): `reports/pledges?year=` and
`reports/disclosure?quarter=2026Q3`. Figures are aggregated in the database."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, CharField, Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from cadres.roles import actor_for
from core.reports import REPORT_RENDERERS, Column, report_response, report_schema
from supervision.models import DisclosureCheck, Pledge, PledgeLevel
from supervision.quarters import QuarterError, last_due_quarter, parse_quarter
from supervision.selectors.disclosures import checks_for
from supervision.selectors.pledges import pledges_for

FORMAT = OpenApiParameter("format", str, enum=["json", "csv", "xlsx"])
PLEDGE_COLUMNS = [
    Column("id", gettext_lazy("责任书 id")),
    Column("level", gettext_lazy("层级代码")),
    Column("level_display", gettext_lazy("层级")),
    Column("pledger_type", gettext_lazy("责任方类型")),
    Column("pledger", gettext_lazy("责任方")),
    Column("superior", gettext_lazy("会签人")),
    Column("status", gettext_lazy("状态代码")),
    Column("status_display", gettext_lazy("状态")),
    Column("signed_at", gettext_lazy("责任方签署时间")),
    Column("countersigned_at", gettext_lazy("会签时间")),
    Column("total_score", gettext_lazy("总分")),
    Column("grade_display", gettext_lazy("等次")),
]
DISCLOSURE_COLUMNS = [
    Column("village_id", gettext_lazy("村 id")),
    Column("village", gettext_lazy("村")),
    Column("quarter", gettext_lazy("季度")),
    Column("score", gettext_lazy("得分")),
    Column("on_time", gettext_lazy("按时")),
    Column("late", gettext_lazy("逾期")),
    Column("missing", gettext_lazy("缺项")),
    Column("status_display", gettext_lazy("状态")),
    Column("rectification_deadline", gettext_lazy("整改期限")),
]


def _when(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _typed(columns: list[Column], types: dict[str, str]) -> list[Column]:
    """The same columns with JSON types, for the schema (nullable values have no example type)."""
    return [Column(c.key, c.label, types.get(c.key, c.type)) for c in columns]


PLEDGE_EXAMPLE = {
    "id": 12, "level": "village", "level_display": "村→政府", "pledger_type": "village", "pledger": "东河村",
    "superior": "王镇长", "status": "countersigned", "status_display": "已会签（生效）",
    "signed_at": None, "countersigned_at": None, "total_score": None, "grade_display": "",
}
PLEDGE_SCHEMA_COLUMNS = _typed(PLEDGE_COLUMNS, {"signed_at": "date-time", "countersigned_at": "date-time",
                                                "total_score": "number"})
DISCLOSURE_EXAMPLE = {
    "village_id": 3, "village": "东河村", "quarter": "2026Q3", "score": 93.0, "on_time": 7, "late": 1,
    "missing": 1, "status_display": "已审核", "rectification_deadline": None,
}
DISCLOSURE_SCHEMA_COLUMNS = _typed(DISCLOSURE_COLUMNS, {"rectification_deadline": "date"})


class PledgeReport(APIView):
    renderer_classes = REPORT_RENDERERS

    @report_schema("PledgeReport", PLEDGE_SCHEMA_COLUMNS, PLEDGE_EXAMPLE,
                   parameters=[OpenApiParameter("year", int, description="2026 (default: this year)"), FORMAT],
                   extra={"year": 2026, "summary": [{"level": "village", "total": 20}]},
                   description="One row per pledge in scope (the reporting role: villages' and units' pledges "
                               "only), with `summary` by level in the JSON form.")
    def get(self, request: Request) -> Any:
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise ValidationError({"year": [_("年度应为 2000 到 2100 之间的四位数字，例如 2026。")]})
        year = int(raw)
        qs = pledges_for(actor_for(request.user)).filter(year=year)
        levels, statuses, grades = dict(PledgeLevel.choices), dict(Pledge.Status.choices), dict(Pledge.Grade.choices)
        rows = []
        for r in qs.annotate(
            pledger=Coalesce("pledger_village__name", "pledger_unit__name", "pledger_cadre__name",
                             output_field=CharField()),
        ).values("id", "level", "pledger", "pledger_village_id", "pledger_unit_id", "superior__name", "status",
                 "signed_at", "countersigned_at", "total_score", "grade").order_by("level", "id"):
            rows.append({
                "id": r["id"], "level": r["level"], "level_display": str(levels[r["level"]]),
                "pledger_type": "village" if r["pledger_village_id"] else "unit" if r["pledger_unit_id"] else "cadre",
                "pledger": r["pledger"], "superior": r["superior__name"], "status": r["status"],
                "status_display": str(statuses[r["status"]]), "signed_at": _when(r["signed_at"]),
                "countersigned_at": _when(r["countersigned_at"]),
                "total_score": float(r["total_score"]) if r["total_score"] is not None else None,
                "grade": r["grade"], "grade_display": str(grades.get(r["grade"], "")),
            })
        summary = [
            {**s, "level_display": str(levels[s["level"]]),
             "average_score": round(float(s["average_score"]), 1) if s["average_score"] is not None else None}
            for s in qs.values("level").annotate(
                total=Count("pk"),
                **{status: Count("pk", filter=Q(status=status)) for status in Pledge.Status.values},
                average_score=Avg("total_score"),
            ).order_by("level")
        ]
        return report_response(request, filename=f"pledges-{year}", columns=PLEDGE_COLUMNS, rows=rows,
                               extra={"year": year, "summary": summary})


class DisclosureReport(APIView):
    renderer_classes = REPORT_RENDERERS

    @report_schema("DisclosureReport", DISCLOSURE_SCHEMA_COLUMNS, DISCLOSURE_EXAMPLE,
                   parameters=[OpenApiParameter("quarter", str, description="2026Q3 (default: the last due quarter)"),
                               FORMAT],
                   extra={"quarter": "2026Q3", "summary": {"villages": 20, "average_score": 91.5}},
                   description="The quarterly disclosure check by village: score, items on time, late and missing.")
    def get(self, request: Request) -> Any:
        raw = request.query_params.get("quarter")
        try:
            quarter = parse_quarter(raw) if raw is not None else last_due_quarter()
        except QuarterError as exc:
            raise ValidationError({"quarter": [exc.message]}) from None
        qs = checks_for(actor_for(request.user)).filter(year=quarter.year, quarter=quarter.quarter)
        statuses = dict(DisclosureCheck.Status.choices)
        rows = [
            {"village_id": r["village_id"], "village": r["village__name"], "quarter": str(quarter),
             "score": float(r["score"]), "on_time": r["on_time_count"], "late": r["late_count"],
             "missing": r["missing_count"], "status": r["status"], "status_display": str(statuses[r["status"]]),
             "rectification_deadline": r["rectification_deadline"].isoformat() if r["rectification_deadline"] else None}
            for r in qs.values("village_id", "village__name", "score", "on_time_count", "late_count", "missing_count",
                               "status", "rectification_deadline").order_by("village__code")
        ]
        totals = qs.aggregate(villages=Count("pk"), average_score=Avg("score"), on_time=Sum("on_time_count"),
                              late=Sum("late_count"), missing=Sum("missing_count"),
                              villages_with_gaps=Count("pk", filter=Q(missing_count__gt=0) | Q(late_count__gt=0)))
        if totals["average_score"] is not None:
            totals["average_score"] = round(float(totals["average_score"]), 1)
        return report_response(request, filename=f"disclosure-{quarter}", columns=DISCLOSURE_COLUMNS, rows=rows,
                               extra={"quarter": str(quarter), "summary": totals})
