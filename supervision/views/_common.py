"""Small helpers for the daily-loop pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from core.errors import DomainError
from core.search import parse_query

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



def searched(filters: forms.Form, qs: QuerySet[Any],
             search: Callable[[QuerySet[Any], list[list[str]]], QuerySet[Any]]) -> tuple[QuerySet[Any], list[list[str]]]:
    """The search box of a list page (diaries, matters): `filters.cleaned_data["q"]` parsed into
    AND-groups and applied by `search`. A query that cannot be searched is an error on the box and
    no rows, never a 500. Returns the rows and the groups (empty when nothing was searched)."""
    try:
        groups = parse_query(filters.cleaned_data["q"])
    except DomainError as exc:
        filters.add_error("q", exc.message)
        return qs.none(), []
    return search(qs, groups), groups


def evidence_response(evidence: FieldFile) -> FileResponse:
    """An evidence file (a matter's, a milestone's), served by the view that checked the scope,
    never through MEDIA_URL: pictures and PDF open in the browser, anything else is downloaded;
    never sniffed as another type, never cached by a shared cache."""
    name = (evidence.name or "").rsplit("/", 1)[-1]  # never empty: the views exclude rows without a file
    response = FileResponse(evidence.open("rb"), filename=name, as_attachment=not name.endswith(
        (".jpg", ".png", ".webp", ".pdf")))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
