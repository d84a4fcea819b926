"""The diaries of a period as a file for reporting clients (issue #17: exports that stream).

`GET /api/v1/reports/diaries/?start=&end=&format=csv|xlsx`: every diary the caller may read
(supervision.selectors.diaries), oldest first, streamed as it is read (JSON: short periods only): the rows come from a
server-side cursor in chunks of EXPORT_CHUNK, each chunk's households in one more query, and
each row is written to the response before the next chunk is fetched, so the first bytes leave
at once and memory stays flat. The reporting role (and a system's API key) gets the author's and
the households' names masked (张*), as everywhere else it reads people (cadres.scope).
More than EXPORT_STREAM_MAX_ROWS diaries: a person's export becomes a job (202 with its page,
supervision.services.exports); a system's API key is asked to split the period (400).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cadres.roles import actor_for
from core.replica import reading_from_replica, replica_reads
from core.reports import REPORT_RENDERERS, report_response, report_schema, request_language
from supervision.api.reports._common import PERIOD_PARAMS
from supervision.api.serializers._common import report_period
from supervision.exports import (
    DIARY_EXPORT_COLUMNS,
    DIARY_EXPORT_EXAMPLE,
    JSON_MAX_ROWS,
    diary_export_file,
    diary_export_rows,
    written_by_database,
)
from supervision.selectors.diaries import diaries_for
from supervision.services.exports import diary_export_start


class DiaryExport(APIView):
    renderer_classes = REPORT_RENDERERS

    @report_schema(
        "DiaryExport", DIARY_EXPORT_COLUMNS, DIARY_EXPORT_EXAMPLE, parameters=PERIOD_PARAMS,
        description="Every diary of the period the caller may read, streamed as CSV or XLSX (`format=csv|xlsx`); "
                    "the JSON form for periods of at most 2,000 diaries (else 400). Names of authors and households are masked "
                    "for the reporting role and API keys. More than EXPORT_STREAM_MAX_ROWS diaries: a log-in gets "
                    "202 with `status_url`, the job's page, where the file is downloaded when written; an API key "
                    "gets 400 (split the period).",
    )
    def get(self, request: Request) -> Any:
        actor = actor_for(request.user)
        start, end = report_period(request)
        with replica_reads():
            total = diaries_for(actor).filter(date__range=(start, end)).count()
        as_file = getattr(request.accepted_renderer, "format", "json") in ("csv", "xlsx")
        if not as_file and total > JSON_MAX_ROWS:
            # The JSON form is built in memory: for a short period only.
            raise ValidationError({"format": [_("该期间共有 %(n)s 篇日记，JSON 格式最多 %(limit)s 篇；请用 format=csv 或 "
                                                "format=xlsx 导出。") % {"n": total, "limit": JSON_MAX_ROWS}]})
        limit = settings.EXPORT_STREAM_MAX_ROWS
        if total > limit:
            if not (as_file and actor.user_id is not None):  # an API key has no person to follow a job
                raise ValidationError({"end": [_("该期间共有 %(n)s 篇日记，超过单次导出上限 %(limit)s 篇，请缩短期间分批导出。")
                                               % {"n": total, "limit": limit}]})
            # Too big for one request: a job of the `exports` queue writes the file.
            job = diary_export_start(actor=actor, start=start, end=end,
                                     fmt=request.accepted_renderer.format)
            status_url = reverse("job", args=[job.pk])
            return Response({"detail": _("共 %(n)s 篇日记，已转为后台导出，完成后可在进度页面下载。") % {"n": total},
                             "job": job.pk, "status_url": status_url}, status=202,
                            headers={"Location": status_url}, content_type="application/json")
        filename = f"diaries-{start}-{end}"
        if as_file and written_by_database():
            # PostgreSQL writes the file (supervision.exports.diary_export_file): the worker relays bytes.
            with translation.override(request_language(request)):
                response: Any = diary_export_file(actor, start, end, request.accepted_renderer.format, filename)
            response.report_columns = DIARY_EXPORT_COLUMNS
            return response
        rows = reading_from_replica(diary_export_rows(actor, start, end))
        return report_response(request, filename=filename, columns=DIARY_EXPORT_COLUMNS, rows=rows)
