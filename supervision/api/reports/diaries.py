"""The diary-completeness report (by village, unit or cadre; workdays and excused days counted)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from cadres.models import Cadre, Unit, Village
from cadres.roles import Actor, Role, actor_for
from core.replica import replica_reads
from core.reports import REPORT_RENDERERS, Column, report_response, report_schema
from supervision.api.reports._common import PERIOD_PARAMS, TOWNSHIP_COLUMNS, with_township
from supervision.api.serializers.diaries import CompletenessParamsSerializer
from supervision.services.completeness import completeness

FIGURE_COLUMNS = [
    Column("cadres", gettext_lazy("干部数")),
    Column("expected", gettext_lazy("应写天数")),
    Column("written", gettext_lazy("已写天数")),
    Column("on_time", gettext_lazy("按时天数")),
    Column("completeness", gettext_lazy("完成率（%）")),
    Column("on_time_rate", gettext_lazy("按时率（%）")),
    Column("households", gettext_lazy("联系户")),
    Column("households_visited", gettext_lazy("已走访联系户")),
    Column("coverage", gettext_lazy("走访覆盖率（%）")),
]


# Every row naming a village, unit or cadre says its township too (county-wide, names repeat).
KEY_COLUMNS = {
    "village": [*TOWNSHIP_COLUMNS, Column("village_id", gettext_lazy("村 id")), Column("village", gettext_lazy("村"))],
    "unit": [*TOWNSHIP_COLUMNS, Column("unit_id", gettext_lazy("单位 id")), Column("unit", gettext_lazy("单位"))],
    "cadre": [*TOWNSHIP_COLUMNS, Column("cadre_id", gettext_lazy("干部 id")), Column("cadre", gettext_lazy("干部")),
              Column("unit", gettext_lazy("单位"))],
    "township": TOWNSHIP_COLUMNS,
}
ROW_PLACE = {"village": ("village_id", Village), "unit": ("unit_id", Unit), "cadre": ("cadre_id", Cadre)}


# The grouping key columns of every `by`, for the schema: a row has only those of its `by`.
ALL_KEY_COLUMNS = [
    *TOWNSHIP_COLUMNS,
    Column("village_id", gettext_lazy("村 id"), "integer"), Column("village", gettext_lazy("村"), "string"),
    Column("unit_id", gettext_lazy("单位 id"), "integer"), Column("unit", gettext_lazy("单位"), "string"),
    Column("cadre_id", gettext_lazy("干部 id"), "integer"), Column("cadre", gettext_lazy("干部"), "string"),
]


COMPLETENESS_EXAMPLE = {
    "township": 1, "township_name": "东河镇",
    "village_id": 3, "village": "东河村", "unit_id": None, "unit": "农业服务中心", "cadre_id": 17, "cadre": "张明",
    "cadres": 4, "expected": 88, "written": 80, "on_time": 75, "completeness": None, "on_time_rate": None,
    "households": 40, "households_visited": 31, "coverage": None,
}


# Rates are null where nothing was expected; a unit row's id is null for leaders without a unit.
FIGURE_SCHEMA_COLUMNS = [
    Column(c.key, c.label, "number" if c.key in ("completeness", "on_time_rate", "coverage") else "integer")
    for c in FIGURE_COLUMNS
]


def cadre_ids_for_per_cadre_figures(actor: Actor) -> set[int] | None:
    """Per-cadre figures go to the cadre and their superiors only (None: every cadre in scope)."""
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE, Role.COUNTY):
        return None
    if actor.is_reporter_only or actor.cadre is None:
        raise PermissionDenied(_("报表用户只能查看按村、按单位汇总的数据，不能查看干部个人数据。"))
    managed = actor.unit_ids_headed | actor.unit_ids_supervised
    ids = {actor.cadre.pk}
    if managed:
        ids |= set(Cadre.objects.filter(unit_id__in=managed).values_list("pk", flat=True))
    return ids


class DiaryCompletenessReport(APIView):
    renderer_classes = REPORT_RENDERERS

    @report_schema(
        "DiaryCompleteness", [*ALL_KEY_COLUMNS, *FIGURE_SCHEMA_COLUMNS], COMPLETENESS_EXAMPLE,
        parameters=[*PERIOD_PARAMS, OpenApiParameter("by", str, enum=["village", "unit", "cadre", "township"])],
        extra={"start": "2026-10-01", "end": "2026-10-31", "by": "village"},
        optional=tuple(c.key for c in ALL_KEY_COLUMNS),
        description="Diaries expected (workdays less excused days) vs written and on time; household coverage. "
                    "by=cadre only for the cadres' superiors, the leaders and the office; by=township for county "
                    "users. Rows naming a village, unit or cadre carry `township` and `township_name`.",
    )
    def get(self, request: Request) -> Any:
        actor = actor_for(request.user)
        params = CompletenessParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end, by = params.validated_data["start"], params.validated_data["end"], params.validated_data["by"]
        if by == "township" and not (actor.is_superuser or actor.has(Role.COUNTY)):
            raise ValidationError({"by": [_("按镇汇总仅供县级用户使用。")]})
        cadre_ids = cadre_ids_for_per_cadre_figures(actor) if by == "cadre" else None
        township_ids = actor.township_ids if not actor.is_superuser else None
        with replica_reads():
            rows = completeness(start=start, end=end, by=by, township_ids=township_ids, cadre_ids=cadre_ids)
            if by in ROW_PLACE:
                key, model = ROW_PLACE[by]
                rows = with_township(rows, key=key, model=model)
        return report_response(
            request, filename=f"diary-completeness-{by}-{start}-{end}", columns=[*KEY_COLUMNS[by], *FIGURE_COLUMNS],
            rows=rows, extra={"start": start.isoformat(), "end": end.isoformat(), "by": by},
        )
