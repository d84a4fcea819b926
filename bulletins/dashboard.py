"""Dashboard panels: the latest published bulletin for everyone; drafts awaiting work for the
office (to edit) and the leaders (to approve or publish)."""

from __future__ import annotations

from typing import Any

from cadres.roles import Actor, Role

from .selectors import latest_published, unpublished


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_nobody:
        return []
    out: list[dict[str, Any]] = []
    if actor.is_superuser or actor.roles & {Role.OFFICE, Role.LEADER}:
        waiting = list(unpublished(actor)[:5])
        if waiting:
            out.append({
                "template": "bulletins/_panel_drafts.html",
                "order": 30,
                "bulletins": waiting,
                "is_office": actor.is_superuser or Role.OFFICE in actor.roles,
            })
    latest = latest_published(actor)
    if latest is not None:
        out.append({"template": "bulletins/_panel_latest.html", "order": 80, "bulletin": latest})
    return out
