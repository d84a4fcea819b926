"""Project-level pages: health, dashboard, language, notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 with the reason when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": "unavailable", "reason": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from portal.dashboard import dashboard_context

    return render(request, "portal/dashboard.html", dashboard_context(request.user))


@login_required
@require_GET
def county_township(request: HttpRequest, pk: int) -> HttpResponse:
    """A township's dashboard as the county reads it: figures only, as the reporting role sees
    them (masked households, no per-cadre figures), or as a township inspector for the county's
    discipline inspectors. County-level staff only; anyone else, or an unknown township, a 404."""
    from dataclasses import replace

    from bulletins.county_dashboard import is_county_viewer
    from cadres.models import Township
    from cadres.roles import Role, actor_for
    from portal.dashboard import dashboard_context_for

    actor = actor_for(request.user)
    if not is_county_viewer(actor):
        raise Http404
    township = get_object_or_404(Township, pk=pk)
    roles = {Role.REPORTER} | ({Role.INSPECTOR} if Role.INSPECTOR in actor.roles else set())
    reader = replace(actor, roles=frozenset(roles), township_ids=frozenset({township.pk}), is_superuser=False,
                     cadre=None, unit_ids_headed=frozenset(), unit_ids_supervised=frozenset())
    context = dashboard_context_for(reader, request.user)
    return render(request, "portal/county_township.html", {**context, "township": township})


def coming_soon(title: object):  # type: ignore[no-untyped-def]
    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, "portal/coming_soon.html", {"title": title})

    return view


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    qs = request.user.notifications.all()  # type: ignore[union-attr]
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page_obj": page_obj})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404, redirect
    from django.utils import timezone
    from django.utils.http import url_has_allowed_host_and_scheme

    note = get_object_or_404(request.user.notifications, pk=pk)  # type: ignore[union-attr]
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    target = note.url if url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}) else "/"
    return redirect(target or "/")


@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django.utils import timezone
    from django.views.decorators.http import require_POST  # noqa: F401

    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())  # type: ignore[union-attr]
    return redirect("notifications")
