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
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager, Model, QuerySet
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


def iso_moments() -> Callable[[datetime | None], str | None]:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, "Z" for UTC, None for
    None) for a page of values: the time zone is looked up once, not once a value."""
    zone = timezone.get_current_timezone()

    def text(value: datetime | None) -> str | None:
        if value is None:
            return None
        out = value.astimezone(zone).isoformat()
        return out[:-6] + "Z" if out.endswith("+00:00") else out

    return text


class UnfilteredWithoutParams(GenericAPIView):
    """Mix in before a list viewset: a request with no query parameter at all skips the filter
    backends. Each of them (django-filter's FilterSet, `updated_since`) leaves the queryset as it
    is without its parameter, yet building and validating an empty FilterSet costs a tenth of a
    first page's time."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)
