"""What the dashboard shows. Each app contributes panels from `<app>/dashboard.py`:

    def panels(actor: Actor, user: User) -> list[dict]   # each with "template" and its data

Panels are ordered by "order" (lower first): "what should I do today" before figures.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from cadres.roles import actor_for

PANEL_MODULES = ["cadres.dashboard", "supervision.dashboard.diaries_matters", "supervision.dashboard.pledges_disclosures",
                 "supervision.dashboard.charts", "supervision.dashboard.todo", "supervision.dashboard.units",
                 "supervision.dashboard.plans", "bulletins.dashboard"]


def dashboard_context(user: Any) -> dict[str, Any]:
    actor = actor_for(user)
    panels: list[dict[str, Any]] = []
    for name in PANEL_MODULES:
        if importlib.util.find_spec(name) is not None:
            panels.extend(importlib.import_module(name).panels(actor, user))
    panels.sort(key=lambda p: p.get("order", 50))
    return {"actor": actor, "panels": panels}
