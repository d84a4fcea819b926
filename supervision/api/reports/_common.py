"""What the supervision reports share: the period parameters, the format parameter, typed cells."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
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
