"""Incremental sync for reporting clients: `updated_since=` on every list, tombstones for deletions.

A county system keeps a copy: once a full pull, then only what changed. "Changed" is read from
the model's indexed `updated_at` column (core.stamps.Stamped), which every write path moves:
`save()`, `save(update_fields=...)`, `QuerySet.update()`, `bulk_create()`, `bulk_update()` and
many-to-many changes. So rows written in bulk (the demo data, an escalation, a transfer) reach
the client as well. A model without that column falls back to its django-simple-history table,
where only writes that leave a history row count. Deletions come from the history (tombstones).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django.db.models import Exists, ForeignKey, Max, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import get_view_model
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from cadres.roles import Actor

UPDATED_SINCE = "updated_since"
# The column that moves on every change (core.stamps.Stamped gives every synced model `updated_at`).
TIMESTAMP_FIELDS = ("updated_at", "modified_at", "changed_at")
# A soft-deleted object carries the time of its deletion here (e.g. Diary.deleted_at).
SOFT_DELETE_FIELD = "deleted_at"

# "2026-11-01T08:00:00+08:00" sent without URL-encoding arrives as "...08:00:00 08:00".
_UNENCODED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def _parse(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                return None
            parsed = datetime.combine(day, time.min)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    except (ValueError, OverflowError):
        return None


def parse_since(raw: str) -> datetime:
    """An ISO 8601 date-time (a time without an offset is Beijing time; a bare date is its midnight)."""
    value = raw.strip()
    parsed = _parse(value)
    if parsed is None and _UNENCODED_OFFSET.search(value):
        parsed = _parse(_UNENCODED_OFFSET.sub(r"\1+\2", value))
    if parsed is None:
        raise ValidationError(
            {UPDATED_SINCE: [_("updated_since 应为 ISO 8601 日期时间，例如 2026-11-01T08:00:00+08:00（“+”须编码为 %2B）。")]}
        )
    return parsed


def history_model(model: type[Model]) -> type[Model] | None:
    try:
        return get_history_model_for_model(model)
    except NotHistoricalModelError:
        return None


def timestamp_field(model: type[Model], view: Any = None) -> str | None:
    """The column that says when an object last changed (`updated_at`; a view may name another)."""
    explicit = getattr(view, "sync_timestamp_field", None)
    if explicit:
        return explicit
    names = {f.name for f in model._meta.get_fields()}
    return next((name for name in TIMESTAMP_FIELDS if name in names), None)


def supports_sync(model: type[Model], view: Any = None) -> bool:
    return history_model(model) is not None or timestamp_field(model, view) is not None


def changed_since(queryset: QuerySet, since: datetime, *, view: Any = None) -> QuerySet:
    """Objects of the queryset saved (created, edited, m2m-changed) at or after `since`.

    A view may list reverse relations in `sync_related` (e.g. `("targets",)` for pledges) whose
    changes count as changes of the parent, for resources that nest them.
    """
    model = queryset.model
    field = timestamp_field(model, view)
    history = history_model(model)
    if field is not None:
        # The indexed column every write path moves (core.stamps): one range condition.
        cond = Q(**{f"{field}__gte": since})
    elif history is not None:
        pk = model._meta.pk.attname
        cond = Q(pk__in=history._default_manager.filter(history_date__gte=since).values(pk))
    else:
        raise ValidationError({UPDATED_SINCE: [_("该资源不支持按更新时间同步。")]})
    for name in getattr(view, "sync_related", ()):
        relation = model._meta.get_field(name)
        related_history = history_model(relation.related_model)  # type: ignore[arg-type]
        if related_history is not None:
            parent = relation.field.attname  # type: ignore[union-attr]
            cond |= Q(pk__in=related_history._default_manager.filter(history_date__gte=since).values(parent))
    return queryset.filter(cond)


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=<ISO 8601>` on every list: only objects changed at or after that moment.

    In REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"], so every list gets it; detail lookups ignore it.
    """

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        raw = request.query_params.get(UPDATED_SINCE)
        if not raw or getattr(view, "detail", False) or not isinstance(queryset, QuerySet):
            return queryset
        return changed_since(queryset, parse_since(raw), view=view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        model = get_view_model(view, emit_warnings=False)
        if model is None or not supports_sync(model, view):
            return []
        return [
            {
                "name": UPDATED_SINCE,
                "required": False,
                "in": "query",
                "description": "Only objects created or changed at or after this moment (ISO 8601; without an "
                "offset it is Beijing time), by their updated_at, which every write moves (bulk changes too); "
                "an old moment returns every object the caller may read. For incremental sync: pass the time "
                "the previous sync started, and fetch /api/v1/tombstones/ for what was deleted.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


# --- tombstones -------------------------------------------------------------------------------------


def township_path(model: type[Model]) -> str | None:
    """The lookup from a model to its township (`township`, `village__township` …), nearest first."""
    from cadres.models import Township

    if model is Township:
        return model._meta.pk.attname
    level: list[tuple[type[Model], str]] = [(model, "")]
    for _depth in range(3):
        deeper: list[tuple[type[Model], str]] = []
        for current, prefix in level:
            for field in current._meta.get_fields():
                if not isinstance(field, ForeignKey):
                    continue
                if field.related_model is Township:
                    return prefix + field.name
                deeper.append((field.related_model, f"{prefix}{field.name}__"))  # type: ignore[arg-type]
        level = deeper
    return None


def registered_resources() -> dict[str, Any]:
    """Router prefix (the resource's name in its URL, e.g. "diaries") → viewset, for every resource."""
    from portal.api import router

    return {prefix: viewset for prefix, viewset, _basename in router.registry}


def resource_viewset(name: str) -> Any:
    """The viewset of a resource named by its URL prefix ("diaries") or its basename ("diary")."""
    from portal.api import router

    for prefix, viewset, basename in router.registry:
        if name in (prefix, basename):
            return viewset
    return None


def tombstones(model: type[Model], actor: Actor, since: datetime | None) -> QuerySet:
    """Ids of objects deleted (or soft-deleted) at or after `since` and still gone now, with the time.

    Limited to the actor's townships where the model belongs to one; the rows answer
    `{"id", "deleted_at"}`, ordered by id.
    """
    history = history_model(model)
    if history is None:
        raise ValidationError({"resource": [_("该资源不保留历史记录，无法提供删除记录。")]})
    pk = model._meta.pk.attname
    soft = any(f.name == SOFT_DELETE_FIELD for f in model._meta.get_fields())
    rows = history._default_manager.all()
    if since is not None:
        rows = rows.filter(history_date__gte=since)
    gone = Q(history_type="-")
    if soft:
        gone |= Q(**{f"{SOFT_DELETE_FIELD}__isnull": False})
    rows = rows.filter(gone)
    if actor.township_ids is not None:
        path = township_path(model)
        if path is not None:
            rows = rows.filter(**{f"{path}__in": actor.township_ids})
    alive = model._base_manager.filter(pk=OuterRef(pk))
    if soft:
        alive = alive.filter(**{f"{SOFT_DELETE_FIELD}__isnull": True})
    return rows.filter(~Exists(alive)).values(pk).annotate(deleted_at=Max("history_date")).order_by(pk)
