"""The county's dashboard (issue #21): its townships side by side, one row each, with the outcome
figures of this month (the latest disclosure check; this year's pledges): diary completeness,
matters closed and closed on time, overdue matters now, the disclosure check's average score,
pledges countersigned, plan milestones due and done. Townships in their code order, never ranked;
no cadre is named.

Every figure is counted by township in one grouped statement for the whole county (the bulletin's
county pass, bulletins.county), so the cost does not grow with the number of townships
(tests/bulletins/test_county_dashboard.py pins it). The figures are shared for
DASHBOARD_FIGURES_SECONDS and read from the replica when there is one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from cadres.models import Township
from cadres.roles import Actor, Role
from core.dashboard import shared_figures
from core.replica import replica_reads
from supervision.models import Matter

from .county import CountyFigures
from .figures import Period, rate


def is_county_viewer(actor: Actor) -> bool:
    """County-level staff (the whole county, not one township)."""
    return Role.COUNTY in actor.roles and actor.township_ids is None


def county_rows(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One row per township: the figures of [start, end]."""
    county = CountyFigures(Period(start, end))
    closed = {
        row["township_id"]: row
        # A timestamp range (local midnights), not `closed_at__date`: the index on closed_at serves it.
        for row in Matter.objects.filter(Period(start, end).timestamps("closed_at")).values("township_id").annotate(
            closed=Count("id"),
            closed_on_time=Count("id", filter=Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline"))),
        ).order_by()
    }
    rows = []
    for township in Township.objects.order_by("code", "id").values("pk", "name"):
        pk = township["pk"]
        diaries = county.diaries(pk)
        matters = closed.get(pk, {})
        disclosure, _gaps = county.disclosure(pk)
        pledges = county.pledges(pk)
        plans, _villages = county.plans(pk)
        rows.append({
            "township_id": pk,
            "township": township["name"],
            "expected": diaries["expected"],
            "written": diaries["written"],
            "completeness": diaries["rate"],
            "closed": matters.get("closed", 0),
            "closed_on_time": matters.get("closed_on_time", 0),
            "on_time_rate": rate(matters.get("closed_on_time", 0), matters.get("closed", 0)),
            "overdue": county.overdue(pk)[0],
            "disclosure_quarter": f"{disclosure['year']}Q{disclosure['quarter']}" if disclosure else "",
            "disclosure_score": disclosure["average_score"] if disclosure else None,
            "pledges": pledges["total"],
            "pledges_countersigned": pledges["effective"],
            "milestones_due": plans["due"],
            "milestones_done": plans["done"],
        })
    return rows


def county_panel(actor: Actor) -> dict[str, Any]:
    today = timezone.localdate()
    start = today.replace(day=1)

    def compute() -> dict[str, Any]:
        with replica_reads():
            rows = county_rows(start, today)
        return {"template": "bulletins/_panel_county.html", "order": 5, "rows": rows, "start": start, "end": today}

    return shared_figures("county", actor, compute)


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if not is_county_viewer(actor):
        return []
    return [county_panel(actor)]
