"""The admin's adapter for a service's refusal (core.errors.DomainError).

Every admin page saves, deletes and runs its actions through the services, which refuse with a
DomainError. Django's admin would answer that with a 500; this mixin answers with the message at
the top of the page instead, nothing changed (the change and delete views run in a transaction,
the actions are given one here). The pages have core.forms.add_service_errors, the API
portal.api_errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .errors import DomainError

Row = TypeVar("Row")


def each_through_service(request: HttpRequest, rows: Iterable[Row], act: Callable[[Row], Any],
                         label: Callable[[Row], str]) -> int:
    """An admin action over the selected rows, each through its service: a row the service
    refuses is named in an error message ("label：reason") and the others go on. Returns how
    many were done, for the action's own success message."""
    done = 0
    for row in rows:
        try:
            act(row)
        except DomainError as exc:
            messages.error(request, f"{label(row)}：{exc.message}")
        else:
            done += 1
    return done


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
