"""Form pieces shared by every app's pages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError


class DateInput(forms.DateInput):
    """A native date picker. It accepts only ISO dates (2026-10-01): the localised format
    (2026/10/01) would be dropped by the browser and the field would show empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, exc: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form: beside the field it names, or above the form when it
    names none (or a field the form does not have)."""
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
