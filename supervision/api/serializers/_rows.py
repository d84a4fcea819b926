"""Converters for the lists built by hand from `.values()` rows (pledges, disclosures, inspections).

A list page is ~50 rows with hundreds of nested values; DRF's field objects cost several
microseconds a value (a `DateTimeField` looks up the current time zone for each one, a
`DecimalField` copies a decimal context). Each converter here gives what the declared field
gives for the same value, with the per-request work done once. The lists' tests compare the
hand-built pages with the serializers' field-by-field output, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from core.api_fast import UtcWallClock, moment_text, utc_wall_clock

__all__ = ["UtcWallClock", "moment_text", "utc_wall_clock"]  # with the converters below

# rest_framework's ISO 8601 output (REST_FRAMEWORK's DATETIME_FORMAT and DATE_FORMAT are "iso-8601",
# and the model serializers declare no format of their own).


def day_text(value: date | None) -> str | None:
    """`DateField.to_representation` of a date read from the database."""
    return value.isoformat() if value else None


def decimal_text(field: serializers.Field) -> Callable[[Decimal | None], Any]:
    """The declared `DecimalField`'s output, worked out once per distinct value of the page (a
    page's points and scores repeat). Zeros are keyed with their sign: 0.0 and -0.0 are equal
    keys but print differently."""
    memo: dict[Any, Any] = {}
    convert = field.to_representation

    def text(value: Decimal | None) -> Any:
        if value is None:
            return None
        key = value if value else (value, value.is_signed())
        out = memo.get(key)
        if out is None:
            out = memo[key] = convert(value)
        return out

    return text


def url_for_pk(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for a route whose only argument is an `<int:pk>`: reversed once
    with a stand-in id, then each row's id takes its place."""
    stand_in = "9081726354"
    prefix, found, suffix = reverse(name, args=[int(stand_in)]).rpartition(stand_in)
    assert found, name

    def url(pk: int) -> str:
        return f"{prefix}{pk}{suffix}"

    return url
