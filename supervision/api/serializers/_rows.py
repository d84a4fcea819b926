"""Converters for the lists built by hand from `.values()` rows (pledges, disclosures, inspections).

A list page is ~50 rows with hundreds of nested values; DRF's field objects cost several
microseconds a value (a `DateTimeField` looks up the current time zone for each one, a
`DecimalField` copies a decimal context). Each converter here gives what the declared field
gives for the same value, with the per-request work done once. The lists' tests compare the
hand-built pages with the serializers' field-by-field output, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import DateTimeField, Func
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

# rest_framework's ISO 8601 output (REST_FRAMEWORK's DATETIME_FORMAT and DATE_FORMAT are "iso-8601",
# and the model serializers declare no format of their own).


class UtcWallClock(Func):
    """A `timestamptz` column read as its UTC wall-clock time: on PostgreSQL a plain `timestamp`,
    which psycopg parses in C, where Django's loader for `timestamptz` is Python (~3 µs a value,
    most of reading a page's hundreds of timestamps). Elsewhere the column as it is. Convert the
    value with `moment_text(utc_wall_clock=True)`."""

    arity = 1
    output_field = DateTimeField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:  # type: ignore[override]
        return compiler.compile(self.source_expressions[0])  # type: ignore[no-any-return]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} AT TIME ZONE 'UTC')", params


def moment_text(*, utc_wall_clock: bool = False) -> Callable[[datetime | None], str | None]:
    """`DateTimeField.to_representation`, in the time zone active now (the request's). With
    `utc_wall_clock`, a naive value is a UtcWallClock reading (UTC), not local time."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None

    def iso(value: datetime) -> str:
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    if zone is not None and utc_wall_clock:
        # The lists' case, hundreds of values a page: every value is made aware, so no checks.
        def wall_clock(value: datetime | None) -> str | None:
            if not value:
                return None
            return iso((value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone))

        return wall_clock

    def moment(value: datetime | None) -> str | None:
        if not value:
            return None
        if utc_wall_clock and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if zone is not None:
            value = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
        elif timezone.is_aware(value):
            value = timezone.make_naive(value, UTC)
        return iso(value)

    return moment


def utc_wall_clock(*names: str) -> dict[str, UtcWallClock]:
    """`.values()` keyword arguments reading each timestamp column as `<name>_utc` (UtcWallClock)."""
    return {f"{name}_utc": UtcWallClock(name) for name in names}


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
