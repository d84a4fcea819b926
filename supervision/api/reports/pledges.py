"""The pledges report of a year: status and scores by pledger."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, CharField, Count, Q
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
from supervision.api.reports._common import FORMAT, TOWNSHIP_COLUMNS, _typed, _when
from supervision.models import Pledge, PledgeLevel
from supervision.selectors.pledges import pledges_for

PLEDGE_COLUMNS = [
    *TOWNSHIP_COLUMNS,
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


PLEDGE_EXAMPLE = {
    "township": 1, "township_name": "东河镇",
    "id": 12, "level": "village", "level_display": "村→政府", "pledger_type": "village", "pledger": "东河村",
    "superior": "王镇长", "status": "countersigned", "status_display": "已会签（生效）",
    "signed_at": None, "countersigned_at": None, "total_score": None, "grade_display": "",
}


PLEDGE_SCHEMA_COLUMNS = _typed(PLEDGE_COLUMNS, {"signed_at": "date-time", "countersigned_at": "date-time",
                                                "total_score": "number"})


def pledge_rows(qs: Any) -> list[dict[str, Any]]:
    """One row per pledge of `qs` (already scoped), its township first."""
    levels, statuses, grades = dict(PledgeLevel.choices), dict(Pledge.Status.choices), dict(Pledge.Grade.choices)
    rows = []
    for r in qs.annotate(
        pledger=Coalesce("pledger_village__name", "pledger_unit__name", "pledger_cadre__name",
                         output_field=CharField()),
    ).values("township_id", "township__name",
             "id", "level", "pledger", "pledger_village_id", "pledger_unit_id", "superior__name", "status",
             "signed_at", "countersigned_at", "total_score", "grade").order_by("township_id", "level", "id"):
        rows.append({
            "township": r["township_id"], "township_name": r["township__name"],
            "id": r["id"], "level": r["level"], "level_display": str(levels[r["level"]]),
            "pledger_type": "village" if r["pledger_village_id"] else "unit" if r["pledger_unit_id"] else "cadre",
            "pledger": r["pledger"], "superior": r["superior__name"], "status": r["status"],
            "status_display": str(statuses[r["status"]]), "signed_at": _when(r["signed_at"]),
            "countersigned_at": _when(r["countersigned_at"]),
            "total_score": float(r["total_score"]) if r["total_score"] is not None else None,
            "grade": r["grade"], "grade_display": str(grades.get(r["grade"], "")),
        })
    return rows


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
        levels = dict(PledgeLevel.choices)
        rows = pledge_rows(qs)
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
