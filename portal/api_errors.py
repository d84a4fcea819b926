"""One JSON error format for the whole API: {"detail": <message a person can act on>, "errors": {...}}.

This is the API's adapter for a service's refusal (core.errors.DomainError): NotAllowed answers
403, any other 400, with `errors: {field: [message]}` when the refusal names a field. The pages
have core.forms.add_service_errors, the admin core.admin_errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotAllowed
from portal.db import is_statement_timeout, timeout_message


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if message:
                return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list | tuple):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    return str(errors) if errors else ""


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # A refusal of the whole request reads as the service wrote it; one that names a field reads
    # as a serializer's error on that field would ("field: message").
    refusal = exc.message if isinstance(exc, DomainError) and not exc.field else None
    if isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DomainError):
        # A refusal about one field answers under that field's key, as a serializer's error would.
        exc = exceptions.ValidationError({exc.field or "detail": [exc.message]}, code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到该对象，或您无权查看。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif is_statement_timeout(exc):
        # The web's statement timeout (portal.db): the server is busy, not the request wrong.
        exc = exceptions.APIException(timeout_message(), code="statement_timeout")
        exc.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    elif isinstance(exc, OverflowError | DataError):
        # A number too large for the database in a filter or body (SQLite: OverflowError,
        # PostgreSQL: "value out of range") is bad input, not a server error.
        exc = exceptions.ValidationError({"detail": [_("参数的数值超出范围。")]})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        detail_only = set(errors) == {"detail"}
        response.data = {
            "detail": refusal or _first_message(errors) or _("提交的数据有误。"),
            "code": "invalid",
            "errors": {} if detail_only else errors,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code, "errors": {}}
    return response
