"""What the supervision reports share: the period parameters, the format parameter, typed cells."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter

from core.reports import Column

PERIOD_PARAMS = [
    OpenApiParameter("start", str, required=True, description="YYYY-MM-DD"),
    OpenApiParameter("end", str, required=True, description="YYYY-MM-DD"),
    OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
]


FORMAT = OpenApiParameter("format", str, enum=["json", "csv", "xlsx"])


def _when(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _typed(columns: list[Column], types: dict[str, str]) -> list[Column]:
    """The same columns with JSON types, for the schema (nullable values have no example type)."""
    return [Column(c.key, c.label, types.get(c.key, c.type)) for c in columns]


TOWNSHIP_COLUMNS = [Column("township", gettext_lazy("镇 id"), "integer"),
                    Column("township_name", gettext_lazy("镇"), "string")]


def with_township(rows: list[dict[str, Any]], *, key: str, model: type[Model]) -> list[dict[str, Any]]:
    """Each row that names a village, unit or cadre (by `key`, its id) gets `township` and
    `township_name` first: county-wide, 张家庄村 may be the name of villages in several townships.
    One query, whatever the number of rows."""
    ids = {row[key] for row in rows if row.get(key) is not None}
    found = model._default_manager.filter(pk__in=ids).values_list("pk", "township_id", "township__name") if ids else []
    places = {pk: (township_id, name) for pk, township_id, name in found}
    out = []
    for row in rows:
        township_id, name = places.get(row.get(key), (None, ""))
        out.append({"township": township_id, "township_name": name, **row})
    return out
