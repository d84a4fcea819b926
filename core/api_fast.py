"""A faster `to_representation` for read-only list serializers, with DRF's output unchanged.

DRF's generic path costs most of a list request: for every field of every row it walks the
source through `get_attribute`, which calls `inspect.signature` on each callable it meets (every
`get_<field>_display`), and each choice label is hashed and translated on every row. A page of
50 pledges with their targets ran ~30,000 such lookups.

`FastRepresentation` keeps the declared fields (the schema's source and the contract) and only
changes how they are read: each field gets a getter worked out once per serializer instance
(a list's child serves every row of the page), choice labels are looked up in a per-language
table, nested serializers use the same plan, and anything unusual (a missing relation, a
`source="*"`, a callable other than a display label, a mapping row) falls back to DRF's own code
for that field, so the result is DRF's. Each list's tests compare both paths
(`generic_representation`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import DateTimeField, Func, Manager, Model, QuerySet
from django.db.models.manager import BaseManager
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.generics import GenericAPIView
from rest_framework.relations import ManyRelatedField, PKOnlyObject, PrimaryKeyRelatedField

_MISSING = object()


class _Fallback(Exception):
    """This field of this row takes DRF's generic path."""


# (model, field name, language) → {value: label}: the catalogues do not change while running.
_LABELS: dict[tuple[type[Model], str, str], dict[Any, str]] = {}


def choice_labels(model: type[Model], name: str) -> dict[Any, str]:
    """The field's choice labels in the current language (as `get_<name>_display` gives them)."""
    key = (model, name, translation.get_language() or "")
    labels = _LABELS.get(key)
    if labels is None:
        field = model._meta.get_field(name)
        labels = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}  # type: ignore[union-attr]
    return labels


def _display(obj: Any, name: str) -> Any:
    # Model._get_FIELD_display: the label, else the value itself (None stays None).
    value = getattr(obj, name)
    try:
        label = choice_labels(type(obj), name).get(value, _MISSING)
    except TypeError:  # an unhashable value: let Django's own method decide
        raise _Fallback from None
    return value if label is _MISSING else label


def _chain(attrs: list[str]) -> Callable[[Any], Any]:
    *path, last = attrs
    display = last[4:-8] if last.startswith("get_") and last.endswith("_display") and len(last) > 12 else None

    def read(instance: Any) -> Any:
        for attr in path:
            instance = getattr(instance, attr)
            if instance is None:
                raise _Fallback
        if display is not None:
            return _display(instance, display)
        value = getattr(instance, last)
        if callable(value) and not isinstance(value, (Model, BaseManager)):
            raise _Fallback
        return value

    return read


def _plan(serializer: serializers.Serializer) -> list[tuple[str, Any, Callable[[Any], Any]]]:
    """(name, field, row → output value) for each readable field; a getter raising _Fallback
    sends that field of that row through DRF."""
    return [(str(field.field_name), field, _step(field)) for field in serializer._readable_fields]


def _step(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name)
        return method  # type: ignore[no-any-return]
    attrs = list(field.source_attrs)
    if not attrs:  # source="*"
        return _always_fallback
    if isinstance(field, ManyRelatedField) and isinstance(field.child_relation, PrimaryKeyRelatedField) \
            and field.child_relation.pk_field is None and len(attrs) == 1:
        name = attrs[0]

        def pks(instance: Any) -> Any:
            return [obj.pk for obj in getattr(instance, name).all()]
        return pks
    if isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None and len(attrs) == 1:
        name = attrs[0]

        def pk(instance: Any) -> Any:
            return instance.serializable_value(name)
        return pk
    read = _chain(attrs)
    if type(field) is serializers.ListSerializer:
        child = field.child

        def many(instance: Any) -> Any:
            data = read(instance)
            if data is None:
                raise _Fallback
            rows = data.all() if isinstance(data, (Manager, BaseManager)) else data
            return [child.to_representation(row) for row in rows]  # type: ignore[union-attr]
        return many
    if isinstance(field, FastRepresentation):
        def nested(instance: Any) -> Any:
            value = read(instance)
            return None if value is None else field.to_representation(value)
        return nested
    convert: Callable[[Any], Any]
    if type(field) is serializers.CharField:
        convert = str
    elif type(field) is serializers.IntegerField:
        convert = int
    else:
        convert = field.to_representation

    def plain(instance: Any) -> Any:
        value = read(instance)
        return None if value is None else convert(value)
    return plain


def _always_fallback(instance: Any) -> Any:
    raise _Fallback


class FastRepresentation(serializers.Serializer):
    """Mix in before `ModelSerializer` on an output serializer; see the module's docstring."""

    _fast_plan: list[tuple[str, Any, Callable[[Any], Any]]] | None = None

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, Mapping):
            return self.generic_representation(instance)
        plan = self._fast_plan
        if plan is None:
            plan = self._fast_plan = _plan(self)
        ret: dict[str, Any] = {}
        for name, field, get in plan:
            try:
                ret[name] = get(instance)
            except (_Fallback, AttributeError, KeyError, ObjectDoesNotExist):
                try:
                    ret[name] = _generic_field(field, instance)
                except SkipField:
                    continue
        return ret

    def generic_representation(self, instance: Any) -> dict[str, Any]:
        """DRF's field-by-field path, kept to check the fast one against."""
        return dict(super().to_representation(instance))


def _generic_field(field: serializers.Field, instance: Any) -> Any:
    # serializers.Serializer.to_representation, for one field.
    attribute = field.get_attribute(instance)
    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if check is None else field.to_representation(attribute)


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
        # The lists' case, hundreds of values a page (a matters page: ~300). A UTC day whose
        # offset in the zone is the same at its first and last microsecond — every day but a
        # transition's — writes its values as the UTC value plus that offset; a transition's day
        # converts each value. ~0.7 µs a value instead of ~2.3 (zoneinfo's conversion).
        days = _zone_days(zone)

        def wall_clock(value: datetime | None) -> str | None:
            if not value:
                return None
            if value.tzinfo is not None:
                return iso(value.astimezone(zone))
            day = days.get(value.toordinal())
            if day is None:
                day = _zone_day(zone, value)
                if len(days) < _ZONE_DAYS_KEPT:
                    days[value.toordinal()] = day
            if day is _TRANSITION:
                return iso(value.replace(tzinfo=UTC).astimezone(zone))
            offset, suffix = day
            return (value + offset).isoformat() + suffix

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


# The days of a zone (UTC calendar days, by ordinal) whose offset holds all day: (offset, the text
# isoformat() writes for it). Kept per process; ~30 years of days at most.
_ZONE_DAY_CACHE: dict[str, dict[int, Any]] = {}
_ZONE_DAYS_KEPT = 12_000
_TRANSITION = object()


def _zone_days(zone: Any) -> dict[int, Any]:
    return _ZONE_DAY_CACHE.setdefault(str(zone), {})


def _zone_day(zone: Any, value: datetime) -> Any:
    """(offset, offset text) of `zone` over the UTC day of the naive UTC `value`, or _TRANSITION
    when the offset changes that day."""
    first = datetime(value.year, value.month, value.day, tzinfo=UTC)
    last = first.replace(hour=23, minute=59, second=59, microsecond=999_999)
    offset = first.astimezone(zone).utcoffset()
    if offset is None or last.astimezone(zone).utcoffset() != offset:
        return _TRANSITION
    text = first.astimezone(zone).isoformat()[19:]  # "+08:00", as isoformat() writes it
    return offset, "Z" if text == "+00:00" else text


def utc_wall_clock(*names: str) -> dict[str, UtcWallClock]:
    """`.values()` keyword arguments reading each timestamp column as `<name>_utc` (UtcWallClock)."""
    return {f"{name}_utc": UtcWallClock(name) for name in names}


# Query parameters that only page: no filter backend reads them.
PAGING_PARAMS = frozenset({"page", "page_size", "cursor"})


class UnfilteredWithoutParams(GenericAPIView):
    """Mix in before a list viewset: a request whose query only pages (or is empty) skips the
    filter backends. Each of them (django-filter's FilterSet, `updated_since`) leaves the queryset
    as it is without its parameter, yet building and validating an empty FilterSet costs a tenth
    of a first page's time (~0.3 ms); a client reading pages sends no filter."""

    def unfiltered(self) -> bool:
        """The request's query only pages (or is empty): no filter applies."""
        return self.request.query_params.keys() <= PAGING_PARAMS

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.unfiltered():
            return queryset
        return super().filter_queryset(queryset)
