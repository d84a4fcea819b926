"""Dashboard panel: the township's shortfall of contact households, for leaders. (A cadre's own
households not visited lately: supervision.dashboard.diaries_matters.)"""

from __future__ import annotations

from typing import Any

from core.dashboard import shared_figures

from .models import Cadre
from .roles import Actor
from .scope import cadres_for
from .selectors import may_see_pyramid, quota_statuses


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if may_see_pyramid(actor) and actor.township_id is not None:
        out.append(shared_figures("quota", actor, lambda: _quota_panel(actor)))
    return out


def _quota_panel(actor: Actor) -> dict[str, Any]:
    """The township's cadres short of their contact-household quota (联系户定额)."""
    cadres = list(cadres_for(actor).filter(township_id=actor.township_id, is_active=True)
                  .exclude(level=Cadre.Level.VILLAGE).only("id", "post", "is_active"))
    statuses = quota_statuses(cadres)
    short = [s for s in statuses.values() if s.is_short]
    return {
        "template": "cadres/panel_quota.html",
        "order": 60,
        "short_count": len(short),
        "missing": sum(s.shortfall for s in short),
        "total": len(cadres),
    }
