"""The disclosure report of a quarter: each village's check."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from cadres.roles import actor_for
from core.reports import REPORT_RENDERERS, Column, report_response, report_schema
from supervision.api.reports._common import FORMAT, TOWNSHIP_COLUMNS, _typed
from supervision.models import DisclosureCheck
from supervision.quarters import QuarterError, last_due_quarter, parse_quarter
from supervision.selectors.disclosures import checks_for

DISCLOSURE_COLUMNS = [
    *TOWNSHIP_COLUMNS,
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


DISCLOSURE_EXAMPLE = {
    "township": 1, "township_name": "东河镇",
    "village_id": 3, "village": "东河村", "quarter": "2026Q3", "score": 93.0, "on_time": 7, "late": 1,
    "missing": 1, "status_display": "已审核", "rectification_deadline": None,
}


DISCLOSURE_SCHEMA_COLUMNS = _typed(DISCLOSURE_COLUMNS, {"rectification_deadline": "date"})


def disclosure_rows(qs: Any, quarter: Any) -> list[dict[str, Any]]:
    """One row per village check of `qs` (already scoped to one quarter), its township first."""
    statuses = dict(DisclosureCheck.Status.choices)
    rows = [
        {"township": r["township_id"], "township_name": r["township__name"],
         "village_id": r["village_id"], "village": r["village__name"], "quarter": str(quarter),
         "score": float(r["score"]), "on_time": r["on_time_count"], "late": r["late_count"],
         "missing": r["missing_count"], "status": r["status"], "status_display": str(statuses[r["status"]]),
         "rectification_deadline": r["rectification_deadline"].isoformat() if r["rectification_deadline"] else None}
        for r in qs.values("township_id", "township__name",
                           "village_id", "village__name", "score", "on_time_count", "late_count", "missing_count",
                           "status", "rectification_deadline").order_by("township_id", "village__code")
    ]
    return rows


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
        rows = disclosure_rows(qs, quarter)
        totals = qs.aggregate(villages=Count("pk"), average_score=Avg("score"), on_time=Sum("on_time_count"),
                              late=Sum("late_count"), missing=Sum("missing_count"),
                              villages_with_gaps=Count("pk", filter=Q(missing_count__gt=0) | Q(late_count__gt=0)))
        if totals["average_score"] is not None:
            totals["average_score"] = round(float(totals["average_score"]), 1)
        return report_response(request, filename=f"disclosure-{quarter}", columns=DISCLOSURE_COLUMNS, rows=rows,
                               extra={"quarter": str(quarter), "summary": totals})
