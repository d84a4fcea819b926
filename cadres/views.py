"""Staff pages: the pyramid (/cadres/tree/). My households (/households/) are a page of
supervision, which adds their visits and matters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .roles import actor_for
from .scope import townships_for
from .selectors import may_see_pyramid, pyramid
from .services.accounts import may_manage_accounts
from .services.imports import may_import


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    # Like every out-of-scope object, the page answers 404 to those it is not for.
    if not may_see_pyramid(actor):
        raise Http404
    townships = list(townships_for(actor).order_by("code"))
    if not townships:
        raise Http404
    wanted = request.GET.get("township", "")
    township = next((t for t in townships if str(t.pk) == wanted), townships[0])
    return render(
        request,
        "cadres/tree.html",
        {"township": township, "townships": townships, "pyramid": pyramid(actor, township.pk),
         "may_import": may_import(actor), "may_manage_logins": may_manage_accounts(actor)},
    )
