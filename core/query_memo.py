"""Querysets built once per process and handed out as clones.

Building a scoped list's queryset in Django — the scope's filter, the columns of its rows and
their expressions — costs more CPU than PostgreSQL spends answering it: a cadre's first page of
matters spent 0.5 ms of its 4.3 building the same question it asked a minute before. The
question depends only on the scope (cadres.scope.scope_key), not on the caller, so
`kept_queryset(key, build)` keeps what `build()` returned under `key` and gives every caller a
clone (`.all()`): no caller evaluates the kept queryset, so it never holds rows, only the question.

The key must name everything `build` reads: a key that leaves out part of the scope would serve
one log-in's question to another. Bounded per process (least recently used out first).
`kept(key, build)` keeps any other value that holds no rows and never changes (a list's compiled
statements) and hands out the value itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db.models import QuerySet

LIMIT = 512
_KEPT: OrderedDict[Hashable, Any] = OrderedDict()
_MISSING = object()
T = TypeVar("T")


def kept(key: Hashable, build: Callable[[], T]) -> T:
    value = _KEPT.get(key, _MISSING)
    if value is _MISSING:
        value = _KEPT[key] = build()
        while len(_KEPT) > LIMIT:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    return value  # type: ignore[no-any-return]


def kept_queryset(key: Hashable, build: Callable[[], QuerySet[Any]]) -> QuerySet[Any]:
    return kept(key, build).all()


def forget_kept() -> None:
    """Empty the memo (tests that count the queries of a first build)."""
    _KEPT.clear()
