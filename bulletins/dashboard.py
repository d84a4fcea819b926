"""Dashboard panels: the latest published bulletin for everyone; drafts awaiting work for the
office (to edit) and the leaders (to approve or publish)."""

from __future__ import annotations

from typing import Any

from cadres.roles import Actor, Role

from .selectors import latest_published, unpublished

# What the panels show: the compiled figures and sections (large JSON) are not read.
SHOWN_FIELDS = ("id", "township_id", "title", "year", "number", "status", "period_start", "period_end", "issue_date")


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_nobody:
        return []
    out: list[dict[str, Any]] = []
    if actor.is_superuser or actor.roles & {Role.OFFICE, Role.LEADER}:
        waiting = list(unpublished(actor).select_related(None).only(*SHOWN_FIELDS)[:5])
        if waiting:
            out.append({
                "template": "bulletins/_panel_drafts.html",
                "order": 30,
                "bulletins": waiting,
                "is_office": actor.is_superuser or Role.OFFICE in actor.roles,
            })
    latest = latest_published(actor, fields=SHOWN_FIELDS)
    if latest is not None:
        out.append({"template": "bulletins/_panel_latest.html", "order": 80, "bulletin": latest})
    return out
