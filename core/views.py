"""Page helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import DomainError, NotAllowed
from .forms import add_service_errors


def state_change(request: HttpRequest, change: Callable[[], Any], done: str, then: str) -> HttpResponse:
    """A POSTed state change (sign, publish, approve …): run the service, show its refusal or
    `done` as a message, and go back to the page `then` (a URL)."""
    try:
        change()
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(then)


def form_state_change(request: HttpRequest, form: forms.Form, change: Callable[[dict[str, Any]], Any], done: str,
                      then: str, invalid: str) -> HttpResponse:
    """`state_change` for a small form on a detail page (a review, a note): the service gets the
    cleaned data; an invalid form says `invalid` instead, and the page is shown again."""
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect(then)
    return state_change(request, lambda: change(form.cleaned_data), done, then)


def form_to_service(request: HttpRequest, form: forms.Form, change: Callable[[dict[str, Any]], Any], *,
                    done: str, then: str, again: Callable[[], HttpResponse]) -> HttpResponse:
    """A form on a detail page posted to its service (a comment, a decision …): a refusal
    (NotAllowed) is the refused page; a bad form or the service's objection is `again()`, the page
    shown again with the errors on this form (core.forms.add_service_errors); success says `done`
    and goes to `then` (a URL)."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except NotAllowed as exc:
            return refused(request, exc.message)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(then)
    return again()


def refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """A page that says why the action cannot be done (403 unless told), with a way home."""
    return render(request, "refused.html", {"message": message}, status=status)
