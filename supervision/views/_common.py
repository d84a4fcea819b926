"""Small helpers for the daily-loop pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

PAGE_SIZE = 20
# Far beyond any table (20 million rows at 20 a page) yet an offset every database can take: a
# larger page number is a 404 page, not a database error ("bigint out of range").
MAX_PAGE = 1_000_000


def page_slice(request: HttpRequest, qs: QuerySet[Any], size: int = PAGE_SIZE) -> dict[str, Any]:
    """Newer/older paging without COUNT(*): fetch one row more than shown to know if there is a next page.

    A page number that is not a number, or below 1, shows the first page."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    if number > MAX_PAGE:
        raise Http404
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

