"""Form pieces shared by every app's pages."""

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A native date picker. It accepts only ISO dates (2026-10-01): the localised format
    (2026/10/01) would be dropped by the browser and the field would show empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")
