"""The admin's adapter for a service's refusal (core.errors.DomainError).

Every admin page saves, deletes and runs its actions through the services, which refuse with a
DomainError. Django's admin would answer that with a 500; this mixin answers with the message at
the top of the page instead, nothing changed (the change and delete views run in a transaction,
the actions are given one here). The pages have core.forms.add_service_errors, the API
portal.api_errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .errors import DomainError


class ServiceErrorsAdminMixin:
    def _refused(self, request: HttpRequest, exc: DomainError) -> HttpResponse:
        self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as exc:
            return self._refused(request, exc)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as exc:
            return self._refused(request, exc)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
        try:
            with transaction.atomic():  # an action refused half-way changes nothing
                return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as exc:
            return self._refused(request, exc)
