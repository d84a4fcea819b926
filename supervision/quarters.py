"""Quarters of the township's calendar ("2026Q3"), with boundaries in the portal's time zone.

A quarter starts at 00:00 Asia/Shanghai on its first day: 2026-09-30T16:30Z is already
2026-10-01 in the township, so it belongs to 2026Q4.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

QUARTER_RE = re.compile(r"^\s*([0-9]{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


class QuarterError(DomainError):
    code = "invalid_quarter"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise QuarterError(_("季度应为 1 到 4。"))
        if not 2000 <= self.year <= 2100:
            raise QuarterError(_("年份应在 2000 到 2100 之间。"))

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        month = 3 * self.quarter
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def months(self) -> list[tuple[date, date]]:
        """The quarter's three months as (first day, last day)."""
        out = []
        for month in range(3 * self.quarter - 2, 3 * self.quarter + 1):
            out.append((date(self.year, month, 1), date(self.year, month, calendar.monthrange(self.year, month)[1])))
        return out

    @property
    def start_at(self) -> datetime:
        """The first instant of the quarter in the township's time zone (aware)."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first instant after the quarter (exclusive bound)."""
        return self.next().start_at

    @property
    def check_date(self) -> date:
        """The day the quarterly check runs: the 21st of the month after the quarter ends."""
        after = self.end + timedelta(days=1)
        return date(after.year, after.month, 21)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_quarter(value: str | None) -> Quarter:
    """"2026Q3" (also "2026q3", "2026-Q3") → Quarter; anything else → QuarterError in Chinese."""
    match = QUARTER_RE.match(value or "")
    if not match:
        raise QuarterError(
            _("季度格式不正确：“%(value)s”。请写成年份加季度，例如 2026Q3（季度为 Q1 至 Q4）。")
            % {"value": (value or "")[:20]}
        )
    return Quarter(int(match.group(1)), int(match.group(2)))


def quarter_of(day: date | datetime) -> Quarter:
    """The quarter holding a date, or an instant as seen in Asia/Shanghai."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def current_quarter(today: date | None = None) -> Quarter:
    return quarter_of(today or timezone.localdate())


def last_due_quarter(today: date | None = None) -> Quarter:
    """The latest quarter whose check day has come (on 2026-10-21 that is 2026Q3; on 10-20, 2026Q2)."""
    today = today or timezone.localdate()
    previous = current_quarter(today).previous()
    return previous if previous.check_date <= today else previous.previous()
