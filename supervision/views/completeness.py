"""The completeness page (/reports/completeness/): each visible cadre's missing diary days in a
period, or the figures by unit or village for those who see every cadre; CSV and XLSX export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cadres.roles import actor_for
from core.reports import Column, csv_response, xlsx_response

from ..forms.completeness import CompletenessForm
from ..selectors.completeness import completeness_groups, completeness_lines, sees_every_cadre

FIGURES = [
    Column("expected", _("应写天数")), Column("written", _("已写天数")), Column("on_time", _("按时天数")),
    Column("completeness", _("完成率（%）")),
]
COLUMNS = {
    "cadre": [Column("unit", _("单位")), Column("cadre", _("干部")), *FIGURES, Column("missing", _("缺写天数")),
              Column("missing_days", _("缺写日期")), Column("excused_days", _("请假等免写日期"))],
    "unit": [Column("unit", _("单位")), Column("cadres", _("干部数")), *FIGURES],
    "village": [Column("village", _("村")), Column("cadres", _("干部数")), *FIGURES, Column("diaries", _("涉及本村日记"))],
}


@login_required
@require_GET
def completeness_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_for(request.user)
    groupings = sees_every_cadre(actor)
    today = timezone.localdate()
    data: QueryDict | dict[str, Any] = request.GET
    if "start" not in request.GET and "end" not in request.GET:
        data = {"start": today.replace(day=1), "end": today, "by": request.GET.get("by", "cadre")}
    form = CompletenessForm(data, groupings=groupings)
    lines: list[Any] = []
    groups: list[dict[str, Any]] = []
    by = "cadre"
    if form.is_valid():
        start, end, by = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["by"]
        if by == "cadre":
            lines = completeness_lines(actor, start=start, end=end)
        else:
            groups = completeness_groups(actor, start=start, end=end, by=by)
        export = request.GET.get("format", "")
        if export in ("csv", "xlsx"):
            rows = [line.as_row() for line in lines] if by == "cadre" else groups
            filename = f"completeness-{by}-{start}-{end}"
            if export == "csv":
                return csv_response(filename, COLUMNS[by], rows)
            return xlsx_response(filename, [(str(_("日记完成情况")), COLUMNS[by], rows)])
    query = request.GET.copy()
    query.pop("format", None)
    if "start" not in query and form.is_valid():
        query.update({"start": form.cleaned_data["start"].isoformat(), "end": form.cleaned_data["end"].isoformat()})
    return render(request, "supervision/reports/completeness.html", {
        "form": form, "by": by, "lines": lines, "groups": groups, "groupings": groupings,
        "query": query.urlencode(), "today": today,
    })
