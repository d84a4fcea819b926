"""The township's workday calendar and the days each cadre was expected to write a diary.

Default week: Monday to Friday. National rows (township null) and a township's own rows
override it; a township row wins over a national row for the same date (docs/design.md §2.7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from .models import CalendarDay, ExcusedAbsence


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def workdays(start: date, end: date, township_id: int | None = None) -> list[date]:
    """Workdays in [start, end] for a township (national calendar when township_id is None)."""
    if end < start:
        return []
    rows = calendar_rows(start, end, township_id).values_list("date", "is_workday", "township_id")
    return workdays_from(rows, start, end)


def calendar_rows(start: date, end: date, township_id: int | None) -> QuerySet[CalendarDay]:
    """The calendar's rows that decide the workdays in [start, end] of one township."""
    return CalendarDay.objects.filter(date__range=(start, end)).filter(
        Q(township__isnull=True) | Q(township_id=township_id)
    )


def workdays_from(rows: Iterable[tuple[date, bool, int | None]], start: date, end: date) -> list[date]:
    """The workdays in [start, end] given `calendar_rows` as (date, is_workday, township_id)."""
    overrides: dict[date, bool] = {}
    # National rows first, so a township's own row for the same date replaces them.
    for day, is_workday, _tid in sorted(rows, key=lambda r: r[2] is not None):
        overrides[day] = is_workday
    return [d for d in _days(start, end) if overrides.get(d, d.weekday() < 5)]


def workdays_by_township(start: date, end: date, township_ids: Iterable[int]) -> dict[int, list[date]]:
    """`workdays` for several townships with one query."""
    ids = list(township_ids)
    if end < start or not ids:
        return {township_id: [] for township_id in ids}
    national: dict[date, bool] = {}
    own: dict[int, dict[date, bool]] = defaultdict(dict)
    rows = CalendarDay.objects.filter(date__range=(start, end)).filter(
        Q(township__isnull=True) | Q(township_id__in=ids)
    ).values_list("date", "is_workday", "township_id")
    for day, is_workday, township_id in rows:
        (national if township_id is None else own[township_id])[day] = is_workday
    days = list(_days(start, end))
    return {
        township_id: [d for d in days if own[township_id].get(d, national.get(d, d.weekday() < 5))]
        for township_id in ids
    }


def is_workday(day: date, township_id: int | None = None) -> bool:
    return bool(workdays(day, day, township_id))


def excused_days(cadre_ids: Iterable[int] | QuerySet[Any], start: date, end: date) -> dict[int, set[date]]:
    """Each cadre's excused days (leave, training, secondment) within [start, end]. `cadre_ids`
    may be a query of ids (a subquery: a county's two thousand ids are not sent one by one)."""
    ids = cadre_ids if isinstance(cadre_ids, QuerySet) else list(cadre_ids)
    rows = ExcusedAbsence.objects.filter(cadre_id__in=ids, start__lte=end, end__gte=start).values_list(
        "cadre_id", "start", "end"
    )
    return excused_from(rows, start, end)


def excused_from(rows: Iterable[tuple[int, date, date]], start: date, end: date) -> dict[int, set[date]]:
    """`excused_days` given the absences as (cadre_id, start, end)."""
    out: dict[int, set[date]] = defaultdict(set)
    for cadre_id, a_start, a_end in rows:
        out[cadre_id].update(_days(max(a_start, start), min(a_end, end)))
    return out


def expected_days(cadre_id: int, township_id: int, start: date, end: date) -> list[date]:
    """The days one cadre was expected to write: workdays less excused days."""
    excused = excused_days([cadre_id], start, end).get(cadre_id, set())
    return [d for d in workdays(start, end, township_id) if d not in excused]
