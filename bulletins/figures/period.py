"""The bulletin's period and the small number helpers every figure uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

FIGURES_VERSION = 1
# Lists printed in a bulletin stay readable; the totals beside them are always complete.
LIST_LIMIT = 30


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period (timestamps are compared with `<`)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def timestamps(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_before})


def rate(part: int | None, whole: int | None) -> float | None:
    """Percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _number(value: Decimal | float | int | None) -> float:
    return float(round(Decimal(value or 0), 1))
