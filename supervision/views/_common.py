"""Small helpers for the daily-loop pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 20


def page_slice(request: HttpRequest, qs: QuerySet[Any], size: int = PAGE_SIZE) -> dict[str, Any]:
    """Newer/older paging without COUNT(*): fetch one row more than shown to know if there is a next page."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    rows = list(qs[(number - 1) * size : number * size + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "rows": rows[:size],
        "page": number,
        "has_next": len(rows) > size,
        "has_previous": number > 1,
        "query": query.urlencode(),
    }

