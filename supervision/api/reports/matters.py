"""The matters report: raised, closed and overdue by village and unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.request import Request
from rest_framework.views import APIView

from cadres.roles import Actor, actor_for
from cadres.scope import villages_for
from core.replica import replica_reads
from core.reports import REPORT_RENDERERS, Column, report_response, report_schema
from supervision.api.reports._common import PERIOD_PARAMS, TOWNSHIP_COLUMNS
from supervision.api.serializers._common import report_period
from supervision.models import Matter
from supervision.selectors.matters import matters_for, overdue_q

MATTER_EXAMPLE = {"township": 1, "township_name": "东河镇",
                  "village_id": 3, "village": "东河村", "raised": 12, "assigned": 10, "resolved": 8, "closed": 6,
                  "satisfied": 7, "unsatisfied": 1, "open": 4, "overdue": 1}


MATTER_COLUMNS = [
    *TOWNSHIP_COLUMNS,
    Column("village_id", gettext_lazy("村 id")),
    Column("village", gettext_lazy("村")),
    Column("raised", gettext_lazy("新登记")),
    Column("assigned", gettext_lazy("交办")),
    Column("resolved", gettext_lazy("办结")),
    Column("closed", gettext_lazy("销号")),
    Column("satisfied", gettext_lazy("回访满意及基本满意")),
    Column("unsatisfied", gettext_lazy("回访不满意")),
    Column("open", gettext_lazy("当前未办结")),
    Column("overdue", gettext_lazy("当前逾期")),
]


def matter_report_rows(actor: Actor, start: Any, end: Any) -> list[dict[str, Any]]:
    """One row per village in scope, counted by the database."""
    in_period = {
        "raised": Q(created_at__date__range=(start, end)),
        "assigned": Q(assigned_at__date__range=(start, end)),
        "resolved": Q(resolved_at__date__range=(start, end)),
        "closed": Q(closed_at__date__range=(start, end)),
        "satisfied": Q(revisited_at__date__range=(start, end), satisfaction__in=["satisfied", "basically_satisfied"]),
        "unsatisfied": Q(revisited_at__date__range=(start, end), satisfaction="unsatisfied"),
    }
    today = timezone.localdate()
    counts = {
        row["village_id"]: row
        for row in matters_for(actor)
        .values("village_id")
        .annotate(
            **{key: Count("id", filter=cond) for key, cond in in_period.items()},
            open=Count("id", filter=Q(status__in=Matter.OPEN_STATUSES)),
            overdue=Count("id", filter=overdue_q(today)),
        )
        .order_by()
    }
    rows = []
    for village_id, name, township_id, township_name in (
        villages_for(actor).order_by("township_id", "code").values_list("pk", "name", "township_id", "township__name")
    ):
        figures = counts.get(village_id, {})
        rows.append({"township": township_id, "township_name": township_name, "village_id": village_id,
                     "village": name, **{c.key: figures.get(c.key, 0) for c in MATTER_COLUMNS[4:]}})
    return rows


class MatterReport(APIView):
    renderer_classes = REPORT_RENDERERS

    @report_schema("MatterReport", MATTER_COLUMNS, MATTER_EXAMPLE, parameters=PERIOD_PARAMS,
                   extra={"start": "2026-10-01", "end": "2026-10-31"},
                   description="Matters raised, assigned, resolved, closed and revisited in the period, by village; "
                               "open and overdue now.")
    def get(self, request: Request) -> Any:
        actor = actor_for(request.user)
        start, end = report_period(request)
        with replica_reads():
            rows = matter_report_rows(actor, start, end)
        return report_response(request, filename=f"matters-{start}-{end}", columns=MATTER_COLUMNS, rows=rows,
                               extra={"start": start.isoformat(), "end": end.isoformat()})
