"""Dashboard panels: a cadre's households not visited lately and quota; the township's shortfall for leaders."""

from __future__ import annotations

from typing import Any

from portal.dashboard import shared_figures

from .models import Cadre
from .roles import Actor
from .scope import cadres_for
from .selectors import STALE_AFTER_DAYS, may_see_pyramid, quota_status, quota_statuses, stale_contacts

SHOWN = 5


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if actor.cadre is not None:
        quota = quota_status(actor.cadre)
        stale = stale_contacts(actor)
        if quota.has_quota or stale:
            out.append({
                "template": "cadres/panel_households.html",
                "order": 20,
                "quota": quota,
                "stale": stale[:SHOWN],
                "stale_count": len(stale),
                "stale_after": STALE_AFTER_DAYS,
            })
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
