"""What the dashboard shows; each app contributes its own panel through a selector."""

from __future__ import annotations

from typing import Any

from cadres.roles import actor_for


def dashboard_context(user: Any) -> dict[str, Any]:
    actor = actor_for(user)
    return {"actor": actor}
