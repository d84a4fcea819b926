"""The county's summary workbook (issue #21): every report of a period in one XLSX, one sheet each.

`GET /api/v1/county-summary/?start=&end=` for county-level users (and superusers):
diary completeness by township and by village, matters by village, the year's pledges (the
year of `end`) and the disclosure check of the last quarter due by `end`; every row naming a
village, unit or cadre says its township. Streamed as it is written (core.xlsx_stream), read
from the replica when there is one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from cadres.models import Village
from cadres.roles import Role, actor_for
from core.replica import replica_reads
from core.reports import XLSX_MEDIA_TYPE, XLSXRenderer, request_language, xlsx_response
from supervision.api.reports._common import PERIOD_PARAMS, with_township
from supervision.api.reports.diaries import FIGURE_COLUMNS, KEY_COLUMNS
from supervision.api.reports.disclosures import DISCLOSURE_COLUMNS, disclosure_rows
from supervision.api.reports.matters import MATTER_COLUMNS, matter_report_rows
from supervision.api.reports.pledges import PLEDGE_COLUMNS, pledge_rows
from supervision.api.serializers._common import report_period
from supervision.quarters import last_due_quarter
from supervision.selectors.disclosures import checks_for
from supervision.selectors.pledges import pledges_for
from supervision.services.completeness import completeness


class CountySummaryReport(APIView):
    renderer_classes = [XLSXRenderer]

    @extend_schema(
        summary="The county's summary workbook",
        description="County-level users only. One XLSX, one sheet per report: diary completeness by township and by "
                    "village, matters by village, the pledges of the year of `end`, the disclosure check of the last "
                    "quarter due by `end`.",
        parameters=PERIOD_PARAMS[:2],
        responses={(200, XLSX_MEDIA_TYPE): OpenApiResponse(response=OpenApiTypes.BINARY)},
    )
    def get(self, request: Request) -> Any:
        from django.utils import translation

        actor = actor_for(request.user)
        if not (actor.is_superuser or Role.COUNTY in actor.roles):
            raise PermissionDenied(_("县级汇总表仅供县级用户下载。"))
        start, end = report_period(request)
        quarter = last_due_quarter(end)
        with replica_reads():
            by_township = completeness(start=start, end=end, by="township")
            by_village = with_township(completeness(start=start, end=end, by="village"), key="village_id",
                                       model=Village)
            matters = matter_report_rows(actor, start, end)
            pledges = pledge_rows(pledges_for(actor).filter(year=end.year))
            checks = disclosure_rows(checks_for(actor).filter(year=quarter.year, quarter=quarter.quarter), quarter)
        with translation.override(request_language(request)):
            return xlsx_response(f"county-summary-{start}-{end}", [
                (_("日记完成率（按镇）"), [*KEY_COLUMNS["township"], *FIGURE_COLUMNS], by_township),
                (_("日记完成率（按村）"), [*KEY_COLUMNS["village"], *FIGURE_COLUMNS], by_village),
                (_("事项（按村）"), MATTER_COLUMNS, matters),
                (_("责任书 %(year)s") % {"year": end.year}, PLEDGE_COLUMNS, pledges),
                (_("公开检查 %(quarter)s") % {"quarter": quarter}, DISCLOSURE_COLUMNS, checks),
            ])
