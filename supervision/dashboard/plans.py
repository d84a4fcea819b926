"""Dashboard panel of the village development plans (portal/dashboard.py): for the leaders and the
office, the approved plans with overdue milestones, most overdue first."""

from __future__ import annotations

from typing import Any

from cadres.roles import Actor, Role
from core.dashboard import shared_figures
from supervision.models import Plan
from supervision.selectors.plans import plan_list

SHOWN = 10


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        return [shared_figures("plan-overdue", actor, lambda: _overdue_panel(actor))]
    return []


def _overdue_panel(actor: Actor) -> dict[str, Any]:
    late = (plan_list(actor).prefetch_related(None).filter(status=Plan.Status.APPROVED, milestones_overdue__gt=0)
            .order_by("-milestones_overdue", "village__code", "id"))
    rows = [{"pk": r["pk"], "village": r["village__name"], "title": r["title"], "overdue": r["milestones_overdue"],
             "done": r["milestones_done"], "total": r["milestones_total"]}
            for r in late.values("pk", "village__name", "title", "milestones_overdue", "milestones_done",
                                 "milestones_total")[: SHOWN + 1]]
    return {"template": "supervision/plans/_panel.html", "order": 62, "rows": rows[:SHOWN],
            "more": len(rows) > SHOWN}
