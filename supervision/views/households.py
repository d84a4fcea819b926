"""My contact households and villages (/households/), with each household's last visit and open matters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cadres.roles import actor_for
from cadres.selectors import may_see_pyramid, my_villages, quota_status
from cadres.services.imports import may_import

from ..selectors.households import STALE_AFTER_DAYS, my_contacts


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
