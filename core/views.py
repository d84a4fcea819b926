"""Page helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import DomainError


def state_change(request: HttpRequest, change: Callable[[], Any], done: str, then: str) -> HttpResponse:
    """A POSTed state change (sign, publish, approve …): run the service, show its refusal or
    `done` as a message, and go back to the page `then` (a URL)."""
    try:
        change()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(then)


def refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """A page that says why the action cannot be done (403 unless told), with a way home."""
    return render(request, "refused.html", {"message": message}, status=status)
