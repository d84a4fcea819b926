"""Staff pages: my contact households and villages (/households/), the pyramid (/cadres/tree/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .roles import actor_for
from .scope import townships_for
from .selectors import STALE_AFTER_DAYS, may_see_pyramid, my_contacts, my_villages, pyramid, quota_status
from .services.imports import may_import


@login_required
@require_GET
def households(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    contacts = list(my_contacts(actor))
    today = timezone.localdate()
    for contact in contacts:
        last = contact.last_visit  # type: ignore[attr-defined]
        contact.days_since = (today - last).days if last else None  # type: ignore[attr-defined]
        contact.stale = last is None or contact.days_since > STALE_AFTER_DAYS  # type: ignore[attr-defined]
    return render(
        request,
        "cadres/households.html",
        {
            "actor": actor,
            "contacts": contacts,
            "quota": quota_status(actor.cadre) if actor.cadre is not None else None,
            "villages": my_villages(actor),
            "stale_after": STALE_AFTER_DAYS,
            "may_see_tree": may_see_pyramid(actor),
            "may_import": may_import(actor),
        },
    )


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
         "may_import": may_import(actor)},
    )
