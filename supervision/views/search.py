"""`/search/?q=`: diaries and matters that contain every word of the query, best matches first,
each list exactly as the actor's diary and matter lists (the same selectors)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cadres.roles import actor_for
from core.errors import DomainError
from core.search import MAX_QUERY_LENGTH, parse_query
from supervision.search import diary_snippet, matter_snippet, search_diaries, search_matters
from supervision.selectors.diaries import diary_list
from supervision.selectors.matters import matter_list

SECTION_SIZE = 20  # per section; the list pages (same query) page through the rest


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    q = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"q": q, "max_length": MAX_QUERY_LENGTH, "error": "", "searched": False}
    if q:
        try:
            groups = parse_query(q)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            township = actor.township_id  # narrows the match inside the index; the lists keep the scope
            diaries = list(search_diaries(diary_list(actor), groups, township_id=township)
                           .order_by("-search_rank", "-date", "-id")[: SECTION_SIZE + 1])
            matters = list(search_matters(matter_list(actor), groups, township_id=township)
                           .order_by("-search_rank", "-id")[: SECTION_SIZE + 1])
            for diary in diaries:
                diary.snippet = diary_snippet(diary, groups)  # type: ignore[attr-defined]
            for matter in matters:
                matter.snippet = matter_snippet(matter, groups)  # type: ignore[attr-defined]
            context.update(
                searched=True,
                diaries=diaries[:SECTION_SIZE], more_diaries=len(diaries) > SECTION_SIZE,
                matters=matters[:SECTION_SIZE], more_matters=len(matters) > SECTION_SIZE,
            )
    return render(request, "supervision/search.html", context)
