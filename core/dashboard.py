"""Township-wide dashboard figures shared between the people who see the same ones.

Knows no app: the caller passes who is looking as anything with `township_ids`, `roles` and
`is_superuser` (cadres.roles.Actor is one).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

# What is kept of a shared panel: enough to place and show it. The figures themselves (a chart's
# rows, a list's model instances) are not: unpickling them cost more than rendering the page.
KEPT = ("template", "order", "html", "computed_at")

# The panels read ahead of time by `shared_batch` for the current request: key → panel or None.
_batch: ContextVar[dict[str, dict[str, Any] | None] | None] = ContextVar("dashboard_shared_batch", default=None)
# Figures that several shared panels of one request count alike (`batch_once`): key → value.
_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("dashboard_batch_memo", default=None)
# Set inside `computed_afresh`: every shared panel is computed and rendered as on a cache miss,
# and the cache is neither read nor written.
_afresh: ContextVar[bool] = ContextVar("dashboard_afresh", default=False)

T = TypeVar("T")


class Viewer(Protocol):
    @property
    def township_ids(self) -> Collection[int] | None: ...

    @property
    def roles(self) -> Collection[str]: ...

    @property
    def is_superuser(self) -> bool: ...


def _seconds() -> int:
    return int(getattr(settings, "DASHBOARD_FIGURES_SECONDS", 300))


def shared_key(name: str, actor: Viewer) -> str:
    """Everything a shared panel depends on: which townships, in which role, on which day, in
    which language. Two viewers with the same key see the same panel, so nothing that differs
    between people (a name, a form, a CSRF token) may be in one."""
    scope = "all" if actor.township_ids is None else ",".join(str(t) for t in sorted(actor.township_ids))
    roles = "su" if actor.is_superuser else ",".join(sorted(actor.roles))
    return f"dashboard:{name}:{scope}:{roles}:{timezone.localdate().isoformat()}:{get_language()}"


@contextmanager
def computed_afresh() -> Iterator[None]:
    """Within the block the shared panels take the path of a cache miss (computed, rendered) but
    the cache is left alone: a worker's warm-up (portal.warmup.first_dashboard) runs the code a
    cold page runs without reading a panel cached by someone else or leaving one behind."""
    token = _afresh.set(True)
    try:
        yield
    finally:
        _afresh.reset(token)


@contextmanager
def shared_batch(actor: Viewer, names: Iterable[str]) -> Iterator[None]:
    """Read the named shared panels of `actor` in one round trip to the cache; `shared_figures`
    calls inside the block take them from there (a panel not named is read on its own), and
    `batch_once` calls share their figures."""
    batch = None
    if _seconds() > 0 and not _afresh.get():
        keys = [shared_key(name, actor) for name in names]
        found = cache.get_many(keys)
        batch = {key: found.get(key) for key in keys}
    token, memo_token = _batch.set(batch), _memo.set({})
    try:
        yield
    finally:
        _batch.reset(token)
        _memo.reset(memo_token)


def batch_once(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once within a `shared_batch` block (one page): the panels computed afresh there
    may need the same figures (the diary days of the week, the month and the eight weeks' chart;
    the last checked quarter). Outside a block, computed on every call. The value is shared:
    callers must not change it."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def shared_figures(name: str, actor: Viewer, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A township-wide panel, computed at most once per DASHBOARD_FIGURES_SECONDS for everyone
    who sees the same townships in the same role and language.

    The leaders' panels count a whole township's diaries, matters, pledges and disclosures; at
    county scale that is most of the dashboard's cost, and the figures do not need to be newer
    than a few minutes. The panel carries `computed_at`, shown as "更新于 HH:MM". Personal
    panels (my diary today, my matters) are never shared.

    A panel read from the cache holds only its rendered HTML and its place (KEPT); a freshly
    computed one also holds its figures.
    """
    seconds = _seconds()
    if seconds <= 0:
        return {**compute(), "computed_at": timezone.now()}
    afresh = _afresh.get()
    key = shared_key(name, actor)
    if not afresh:
        batch = _batch.get()
        cached = batch[key] if batch is not None and key in batch else cache.get(key)
        if cached is not None:
            return dict(cached)
    panel = {**compute(), "computed_at": timezone.now()}
    # Shared panels show figures only (no user, request or form): their HTML is shared too,
    # which spares every view the rendering of the charts' tables.
    panel["html"] = render_to_string(panel["template"], {"panel": panel})
    if not afresh:
        cache.set(key, {k: panel[k] for k in KEPT if k in panel}, seconds)
    return panel
