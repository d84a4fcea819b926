"""Errors raised by services; views, the admin and the API turn them into messages."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused business action (illegal transition, rule broken); the message is shown as is.

    `field` names the form or API field the message belongs to, when there is one: the page shows
    it beside that field, the API under that key (core.forms.add_service_errors,
    portal.api_errors)."""

    code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class StateError(DomainError):
    code = "illegal_transition"


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it (answers 403)."""

    code = "not_allowed"
