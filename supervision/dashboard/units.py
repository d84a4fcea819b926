"""The unit head's panel (portal/dashboard.py): who in my unit is behind with the diary this week,
and my unit's open matters by light. Also shown to a leader in charge, for the units they oversee.

"Behind" lists the workdays of this week up to yesterday that have neither a diary nor an excuse
(today can still be written); names in unit and name order, never ranked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from cadres.roles import Actor
from cadres.scope import managed_unit_ids
from supervision.models import Matter
from supervision.selectors.completeness import missing_day_lines
from supervision.selectors.matters import light_expression


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    managed = managed_unit_ids(actor)
    if actor.cadre is None or not managed:
        return []
    return [unit_panel(actor, managed)]


def unit_panel(actor: Actor, managed: frozenset[int]) -> dict[str, Any]:
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    behind = []
    if today > week_start:
        # A leader in charge sees the units' cadres here, not their own line.
        behind = missing_day_lines(actor, start=week_start, end=today - timedelta(days=1), unit_ids=managed)
    counts = dict(
        Matter.objects.filter(Q(unit_id__in=managed) | Q(assignee__unit_id__in=managed),
                              status__in=Matter.OPEN_STATUSES)
        .annotate(light=light_expression(today))
        .values("light")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("light", "n")
    )
    return {
        "template": "supervision/dashboard/_panel_unit.html",
        "order": 25,
        "week_start": week_start,
        "behind": behind,
        "red": counts.get("red", 0),
        "yellow": counts.get("yellow", 0),
        "green": counts.get("green", 0),
    }
