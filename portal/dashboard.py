"""What the dashboard shows. Each app contributes panels from `<app>/dashboard.py`:

    def panels(actor: Actor, user: User) -> list[dict]   # each with "template" and its data

Panels are ordered by "order" (lower first): "what should I do today" before figures.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from cadres.roles import Actor, Role, actor_for
from core.dashboard import shared_batch

PANEL_MODULES = ["cadres.dashboard", "supervision.dashboard.diaries_matters", "supervision.dashboard.pledges_disclosures",
                 "supervision.dashboard.charts", "supervision.dashboard.todo", "supervision.dashboard.units",
                 "supervision.dashboard.plans", "bulletins.dashboard"]


# County-level staff see their townships side by side (and drill down into each, portal.views).
COUNTY_PANEL_MODULES = ["bulletins.county_dashboard"]

# The shared panels (core.dashboard.shared_figures) of the leaders, the office and the county:
# read from the cache together, in one round trip.
SHARED_PANELS = ["quota", "township", "charts", "pledge-chain", "disclosure-gaps", "plan-overdue"]
COUNTY_SHARED_PANELS = ["county"]


def dashboard_context(user: Any) -> dict[str, Any]:
    return dashboard_context_for(actor_for(user), user)


def dashboard_context_for(actor: Actor, user: Any) -> dict[str, Any]:
    """The panels as `actor` sees them (a county user looking at one township: portal.views.county_township)."""
    from bulletins.county_dashboard import is_county_viewer

    county = is_county_viewer(actor)
    shared = COUNTY_SHARED_PANELS if county else SHARED_PANELS if actor.has(Role.LEADER, Role.OFFICE, Role.COUNTY) else []
    panels: list[dict[str, Any]] = []
    with shared_batch(actor, shared):
        for name in COUNTY_PANEL_MODULES if county else PANEL_MODULES:
            if importlib.util.find_spec(name) is not None:
                panels.extend(importlib.import_module(name).panels(actor, user))
    panels.sort(key=lambda p: p.get("order", 50))
    return {"actor": actor, "panels": panels}
