"""Township-wide dashboard figures shared between the people who see the same ones.

Knows no app: the caller passes who is looking as anything with `township_ids`, `roles` and
`is_superuser` (cadres.roles.Actor is one).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language


class Viewer(Protocol):
    @property
    def township_ids(self) -> Collection[int] | None: ...

    @property
    def roles(self) -> Collection[str]: ...

    @property
    def is_superuser(self) -> bool: ...


def shared_figures(name: str, actor: Viewer, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A township-wide panel, computed at most once per DASHBOARD_FIGURES_SECONDS for everyone
    who sees the same townships in the same role and language.

    The leaders' panels count a whole township's diaries, matters, pledges and disclosures; at
    county scale that is most of the dashboard's cost, and the figures do not need to be newer
    than a few minutes. The panel carries `computed_at`, shown as "更新于 HH:MM". Personal
    panels (my diary today, my matters) are never shared.
    """
    seconds = int(getattr(settings, "DASHBOARD_FIGURES_SECONDS", 300))
    if seconds <= 0:
        return {**compute(), "computed_at": timezone.now()}
    scope = "all" if actor.township_ids is None else ",".join(str(t) for t in sorted(actor.township_ids))
    roles = "su" if actor.is_superuser else ",".join(sorted(actor.roles))
    key = f"dashboard:{name}:{scope}:{roles}:{timezone.localdate().isoformat()}:{get_language()}"
    panel = cache.get(key)
    if panel is None:
        panel = {**compute(), "computed_at": timezone.now()}
        # Shared panels show figures only (no user, request or form): their HTML is shared too,
        # which spares every view the rendering of the charts' tables.
        panel["html"] = render_to_string(panel["template"], {"panel": panel})
        cache.set(key, panel, seconds)
    return dict(panel)
