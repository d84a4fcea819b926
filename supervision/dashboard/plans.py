"""Dashboard panel of the village development plans (portal/dashboard.py): for the leaders and the
office, the approved plans with overdue milestones, most overdue first."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cadres.models import Village
from cadres.roles import Actor, Role
from cadres.scope import sees_no_township
from core.dashboard import shared_figures
from core.sql import read_rows, township_clause
from supervision.models import Plan, PlanMilestone

SHOWN = 10


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        return [shared_figures("plan-overdue", actor, lambda: _overdue_panel(actor))]
    return []


def _overdue_panel(actor: Actor) -> dict[str, Any]:
    """Approved plans with overdue milestones, most overdue first, in one plain statement.

    Those who see it (the leaders, the office, a superuser) are township-wide, so plan_list's
    scope comes down to their townships; through plan_list the statement cost ~2 ms of CPU to
    build. tests/supervision/test_plans_dashboard.py holds the two equal."""
    rows = [{"pk": pk, "village": village, "title": title, "overdue": overdue, "done": done, "total": total}
            for pk, village, title, overdue, done, total in _overdue_rows(actor)]
    return {"template": "supervision/plans/_panel.html", "order": 62, "rows": rows[:SHOWN],
            "more": len(rows) > SHOWN}


def _overdue_rows(actor: Actor) -> list[tuple[Any, ...]]:
    if sees_no_township(actor):
        return []
    plan, milestone, village = Plan._meta.db_table, PlanMilestone._meta.db_table, Village._meta.db_table
    # selectors.plans.overdue_milestones_q: open and due before today.
    overdue = "COUNT(CASE WHEN m.status = %s AND m.due < %s THEN m.id END)"
    params: list[Any] = [PlanMilestone.Status.OPEN.value, timezone.localdate(), PlanMilestone.Status.DONE.value,
                         Plan.Status.APPROVED.value]
    townships, township_params = township_clause("p.township_id", actor.township_ids)
    params += township_params
    params += [PlanMilestone.Status.OPEN.value, timezone.localdate()]
    # Tables from the models, conditions and placeholders from this function: no caller text.
    sql = (
        f"SELECT p.id, v.name, p.title, {overdue}, COUNT(CASE WHEN m.status = %s THEN m.id END), COUNT(m.id) "  # noqa: S608
        f"FROM {plan} p JOIN {village} v ON v.id = p.village_id LEFT JOIN {milestone} m ON m.plan_id = p.id "
        f"WHERE p.status = %s{townships} GROUP BY p.id, v.name, p.title, v.code HAVING {overdue} > 0 "
        f"ORDER BY 4 DESC, v.code, p.id LIMIT {SHOWN + 1}"
    )
    return read_rows(sql, params)
