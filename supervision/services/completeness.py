"""Diary completeness (DHIS2-style) and household coverage for a period.

Expected days are each cadre's workdays (the township's calendar) less their excused days;
written and on-time days are counted by the database, never by looping over diaries: on
PostgreSQL the period's whole months from the diaries by month (DiaryMonth, kept by triggers)
and the days around them in one grouped pass over the diaries; elsewhere one grouped query per
township calendar. Coverage: each contact household active in the period, visited
by its cadre (a diary of theirs in the period lists it) or not.

Figures group by cadre, unit or village. A village's figures are those of the cadres assigned
to it during the period (a cadre assigned to two villages counts in both) plus the coverage
of the village's contact households and the diaries written about the village.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cadres.calendar import workdays_by_township
from cadres.models import (
    Cadre,
    ExcusedAbsence,
    Household,
    HouseholdContact,
    Township,
    Unit,
    Village,
    VillageAssignment,
)
from core.replica import current_read_alias
from core.sql import array_literal, planned_once, read_rows, row_date, township_clause
from supervision.models import Diary, DiaryMonth, DiaryVillageMonth

BY_CHOICES = ("village", "unit", "cadre", "township")


@dataclass
class Figures:
    expected: int = 0
    written: int = 0
    on_time: int = 0
    households: int = 0
    households_visited: int = 0
    cadres: set[int] = field(default_factory=set)

    def add(self, other: Figures) -> None:
        self.expected += other.expected
        self.written += other.written
        self.on_time += other.on_time

    def as_dict(self) -> dict[str, Any]:
        return {
            "cadres": len(self.cadres),
            "expected": self.expected,
            "written": self.written,
            "on_time": self.on_time,
            "completeness": percent(self.written, self.expected),
            "on_time_rate": percent(self.on_time, self.expected),
            "households": self.households,
            "households_visited": self.households_visited,
            "coverage": percent(self.households_visited, self.households),
        }


def percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _cadre_query(township_ids: Iterable[int] | None, cadre_ids: Iterable[int] | None) -> Any:
    """The active township-level cadres counted (of `township_ids`, of `cadre_ids`)."""
    qs = Cadre.objects.filter(is_active=True, level=Cadre.Level.TOWNSHIP)
    if township_ids is not None:
        qs = qs.filter(township_id__in=list(township_ids))
    if cadre_ids is not None:
        qs = qs.filter(pk__in=list(cadre_ids))
    return qs


def _cadres(township_ids: Iterable[int] | None, cadre_ids: Iterable[int] | None) -> list[dict[str, Any]]:
    rows: Any = _cadre_query(township_ids, cadre_ids).order_by("township_id", "unit_id", "id").values(
        "pk", "name", "township_id", "unit_id", "unit__name")
    return list(rows)


def cadre_figures(
    *, start: date, end: date, township_ids: Iterable[int] | None = None, cadre_ids: Iterable[int] | None = None
) -> tuple[list[dict[str, Any]], dict[int, Figures]]:
    """Each active township-level cadre's expected, written and on-time days and coverage."""
    cadres, figures, _links, _villages = _cadre_figures(start=start, end=end, township_ids=township_ids,
                                                        cadre_ids=cadre_ids)
    return cadres, figures


def excused_days(cadre_ids: Iterable[int], *, start: date, end: date) -> dict[int, set[date]]:
    """Each cadre's excused days (leave, training …) within start..end, in one query; the counting
    here and the per-cadre lines of the selector both subtract them."""
    excused: dict[int, set[date]] = defaultdict(set)
    for cadre_id, a_start, a_end in ExcusedAbsence.objects.filter(
        cadre_id__in=cadre_ids, start__lte=end, end__gte=start
    ).values_list("cadre_id", "start", "end"):
        _add_days(excused[cadre_id], a_start, a_end, start=start, end=end)
    return excused


Ranges = dict[int, list[tuple[date, date]]]


def excused_ranges(cadres: Any, *, start: date, end: date) -> Ranges:
    """Each cadre's excused days within start..end as sorted, disjoint ranges (first, last), in one
    query; `cadres` a list of ids or a query of them. What `_cadre_figures` counts with: a
    county's 27 months hold ~60,000 excused days, which as sets of dates cost more to build and
    send than the rest of the report's Python."""
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for cadre_id, a_start, a_end in ExcusedAbsence.objects.filter(
        cadre_id__in=cadres, start__lte=end, end__gte=start
    ).values_list("cadre_id", "start", "end"):
        spans[cadre_id].append((max(a_start, start), min(a_end, end)))
    return {cadre_id: _merged(ranges) for cadre_id, ranges in spans.items()}


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def _count_within(days: list[date], first: date, last: date) -> int:
    """How many of the sorted `days` lie within [first, last]."""
    return bisect_right(days, last) - bisect_left(days, first)


def _add_days(days: set[date], first: date, last: date, *, start: date, end: date) -> None:
    """Add the days first..last that lie within start..end."""
    day, last = max(first, start), min(last, end)
    while day <= last:
        days.add(day)
        day += timedelta(days=1)


@dataclass
class PeriodPass:
    """What one pass over the period's diaries counted.

    `written`: (township, author) → (days written, of them on time), counting only the township's
    workdays on which the author was not excused. `bound`: the lowest and highest id of the
    period's diaries of the cadres counted (None: not read), with which the coverage count
    narrows the household links it reads. `villages`: village → the period's diaries about it in
    the scoped townships (None: not counted in this pass).
    """

    written: dict[tuple[int, int], tuple[int, int]]
    bound: tuple[int, int] | None = None
    villages: dict[int, int] | None = None


# A (place, day) pair as one integer, so that PostgreSQL tests membership in a hashed array: the
# township's workdays and the author's excused days. An anti-join on the absences' date ranges
# compares each diary with every absence of its author (4 million comparisons at 1M diaries);
# a generated (author, day) set misleads the planner into sorting the whole period.
DAY_KEY = "{column} * 100000 + (date - DATE '1970-01-01')"
EPOCH = date(1970, 1, 1)


def _day_keys(days_by_id: Mapping[int, Iterable[date]]) -> list[int]:
    return [key * 100000 + (day - EPOCH).days for key, days in days_by_id.items() for day in days]


def _range_day_keys(ranges: Ranges, start: date, end: date) -> list[int]:
    """`_day_keys` of the days within [start, end] of each id's ranges."""
    keys: list[int] = []
    for key, spans in ranges.items():
        for first, last in spans:
            first, last = max(first, start), min(last, end)
            if first <= last:
                base = key * 100000
                keys.extend(range(base + (first - EPOCH).days, base + (last - EPOCH).days + 1))
    return keys


# The village report's pass hashes its two groupings at once (GROUPING SETS), which PostgreSQL
# does only when it expects both tables to fit in work_mem × hash_mem_multiplier; it expects
# ~80,000 (township, author, counted) groups where there are ~3,600 at a million diaries and,
# with the default 4 MB, sorts the million rows on disk instead (1.0–1.5 s against 0.45).
# The tables take ~4 MB at that scale.
VILLAGE_GROUPING_WORK_MEM = "32MB"


def _period_pass(
    *, start: date, end: date, township_ids: list[int] | None, cadre_ids: list[int], workdays: dict[int, list[date]],
    excused: Ranges, villages: bool = False,
) -> PeriodPass:
    """PostgreSQL: written and on-time days and the id bound in one grouped scan of the period's
    diaries (the covering index `diary_period_idx`, in parallel). Whether a diary counts is a
    grouping key, so it is decided once per diary.

    `villages`: the diaries by village too, in the same scan (a second grouping set) instead of a
    second scan of the period. PostgreSQL runs grouping sets in one process; at a million
    diaries over 27 months the one pass costs ~450 ms of CPU where the two parallel scans cost
    ~320 + ~140 ms of wall time and three times that of CPU, which four reports at once queue
    for on two cores (bench: p95 2.0–2.3 s)."""
    # The scoped townships' diaries, and every diary of their cadres: a cadre may have written some
    # in a township they left (not counted, see the caller), which the id bound must still cover.
    scope = "" if township_ids is None else "AND (township_id = ANY(%s::bigint[]) OR author_id = ANY(%s::bigint[]))"
    # A village counts the diaries of the scoped townships only (not those other diaries).
    about = "COUNT(*)" if township_ids is None else "COUNT(*) FILTER (WHERE township_id = ANY(%s::bigint[]))"
    counted = (
        f"{DAY_KEY.format(column='township_id')} = ANY(%s::bigint[]) "
        f"AND NOT {DAY_KEY.format(column='author_id')} = ANY(%s::bigint[])"
    )
    by_village, village, about, grouping = (
        ("GROUPING(village_id) = 0", "village_id", about, "GROUPING SETS ((2, 3, 4), (5))") if villages
        else ("false", "NULL", "0", "2, 3, 4")
    )
    sql = f"""
        SELECT {by_village}, township_id, author_id, {counted}, {village},
               COUNT(*), COUNT(*) FILTER (WHERE on_time), MIN(id), MAX(id), {about}
        FROM {Diary._meta.db_table}
        WHERE date BETWEEN %s AND %s AND deleted_at IS NULL {scope}
        GROUP BY {grouping}
    """  # noqa: S608 - table name from the model, values as parameters
    params: list[Any] = [array_literal(_day_keys(_within(workdays, start, end))),
                         array_literal(_range_day_keys(excused, start, end))]
    if villages and township_ids is not None:
        params.append(array_literal(township_ids))
    params += [start, end]
    if township_ids is not None:
        params += [array_literal(township_ids), array_literal(cadre_ids)]
    written: dict[tuple[int, int], tuple[int, int]] = {}
    diaries: dict[int, int] = {}
    low, high = None, None
    alias = current_read_alias()
    with transaction.atomic(using=alias) if villages else nullcontext(), connections[alias].cursor() as cursor:
        if villages:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [VILLAGE_GROUPING_WORK_MEM])
        cursor.execute(sql, params)
        for about_village, township_id, author_id, counts, village_id, n, n_on_time, first, last, n_about in cursor:
            if about_village:
                if village_id is not None and n_about:
                    diaries[village_id] = n_about
                continue
            if counts:
                written[township_id, author_id] = (n, n_on_time)
            low = first if low is None else min(low, first)
            high = last if high is None else max(high, last)
    # An empty period has an empty bound.
    return PeriodPass(written=written, bound=(low, high) if low is not None and high is not None else (1, 0),
                      villages=diaries if villages else None)


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first day of the period's first whole month and the last day of its last, or None when
    the period holds no whole month."""
    first = start if start.day == 1 else _month_after(start)
    last = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    return (first, last) if first <= last else None


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _split_pass(
    *, start: date, end: date, township_ids: list[int] | None, cadre_ids: list[int], workdays: dict[int, list[date]],
    excused: Ranges, villages: bool,
) -> PeriodPass:
    """PostgreSQL: the period's whole months counted from the diaries by month (`_months_pass`),
    the days before and after them from the diaries (`_period_pass`), the three added up. A
    period without a whole month is one `_period_pass`."""
    months = _whole_months(start, end)
    if months is None:
        return _period_pass(start=start, end=end, township_ids=township_ids, cadre_ids=cadre_ids, workdays=workdays,
                            excused=excused, villages=villages)
    first, last = months
    parts = [_months_pass(first=first, last=last, township_ids=township_ids, cadre_ids=cadre_ids,
                          workdays=workdays, excused=excused, villages=villages)]
    for edge_start, edge_end in ((start, first - timedelta(days=1)), (last + timedelta(days=1), end)):
        if edge_start <= edge_end:
            parts.append(_period_pass(
                start=edge_start, end=edge_end, township_ids=township_ids, cadre_ids=cadre_ids, workdays=workdays,
                excused=excused, villages=villages,
            ))
    return _added(parts, villages=villages)


def _within(days_by_id: Mapping[int, list[date]], start: date, end: date) -> dict[int, list[date]]:
    """Each id's sorted days within [start, end]."""
    return {key: days[bisect_left(days, start):bisect_right(days, end)] for key, days in days_by_id.items()}


def _added(parts: list[PeriodPass], *, villages: bool) -> PeriodPass:
    written: dict[tuple[int, int], tuple[int, int]] = {}
    diaries: dict[int, int] = defaultdict(int)
    bounds = [part.bound for part in parts if part.bound is not None and part.bound[0] <= part.bound[1]]
    for part in parts:
        for key, (n, n_on_time) in part.written.items():
            before = written.get(key, (0, 0))
            written[key] = (before[0] + n, before[1] + n_on_time)
        for village_id, n in (part.villages or {}).items():
            diaries[village_id] += n
    bound = (min(low for low, _high in bounds), max(high for _low, high in bounds)) if bounds else (1, 0)
    return PeriodPass(written=written, bound=bound, villages=dict(diaries) if villages else None)


MaskColumns = tuple[list[int], list[date], list[int]]


def _month_masks(days_by_id: Mapping[int, list[date]], first: date, last: date) -> MaskColumns:
    """The days within [first, last] as (id, month, day bitmask) columns, the bits of
    supervision.models.DiaryMonth."""
    masks: dict[tuple[int, date], int] = defaultdict(int)
    for key, days in _within(days_by_id, first, last).items():
        for day in days:
            masks[key, day.replace(day=1)] |= 1 << (day.day - 1)
    return _columns(masks)


def _range_masks(ranges: Ranges, first: date, last: date) -> MaskColumns:
    """`_month_masks` of the days within [first, last] of each id's ranges (most lie within one
    month: their mask is written at once)."""
    masks: dict[tuple[int, int, int], int] = defaultdict(int)
    for key, spans in ranges.items():
        for low, high in spans:
            low, high = max(low, first), min(high, last)
            while low <= high:
                if low.month == high.month and low.year == high.year:
                    masks[key, low.year, low.month] |= (1 << high.day) - (1 << (low.day - 1))
                    break
                after = _month_after(low)
                masks[key, low.year, low.month] |= (1 << (after - timedelta(days=1)).day) - (1 << (low.day - 1))
                low = after
    return ([key for key, _year, _month in masks], [date(year, month, 1) for _key, year, month in masks],
            list(masks.values()))


def _columns(masks: dict[tuple[int, date], int]) -> MaskColumns:
    return [key for key, _month in masks], [month for _key, month in masks], list(masks.values())


def _months_pass(
    *, first: date, last: date, township_ids: list[int] | None, cadre_ids: list[int], workdays: dict[int, list[date]],
    excused: Ranges, villages: bool,
) -> PeriodPass:
    """PostgreSQL: `_period_pass` over the whole months first..last, counted from the diaries by
    month (supervision.models.DiaryMonth) instead of the diaries: a day counts when its bit is
    set, the township works that day and the author is not excused (the same masks, as bits), so
    a 27-month report reads ~56,000 rows at a million diaries instead of a million index entries.
    The id bound is the months' (it may be wider than the diaries', never narrower). `villages`:
    the diaries by village from DiaryVillageMonth, in a second statement.

    The masks are grouped by their keys (they are unique already) because PostgreSQL then knows
    they are: a bare unnest() looks to it like 200 values repeated, and it hashed the month rows
    against the masks instead of the masks."""
    months = DiaryMonth._meta.db_table
    scope = "" if township_ids is None else "AND (m.township_id = ANY(%s::bigint[]) OR m.author_id = ANY(%s::bigint[]))"
    sql = f"""
        WITH workdays(township_id, month, days) AS (
                 SELECT k, m, bit_or(d) FROM unnest(%s::bigint[], %s::date[], %s::int[]) u(k, m, d) GROUP BY 1, 2),
             excused(author_id, month, days) AS (
                 SELECT k, m, bit_or(d) FROM unnest(%s::bigint[], %s::date[], %s::int[]) u(k, m, d) GROUP BY 1, 2)
        SELECT m.township_id, m.author_id,
               SUM(bit_count((m.written & COALESCE(w.days, 0) & ~COALESCE(e.days, 0))::bit(32))),
               SUM(bit_count((m.on_time & COALESCE(w.days, 0) & ~COALESCE(e.days, 0))::bit(32))),
               MIN(m.first_id), MAX(m.last_id)
        FROM {months} m
        LEFT JOIN workdays w ON w.township_id = m.township_id AND w.month = m.month
        LEFT JOIN excused e ON e.author_id = m.author_id AND e.month = m.month
        WHERE m.month BETWEEN %s AND %s AND m.written <> 0 {scope}
        GROUP BY m.township_id, m.author_id
    """  # noqa: S608 - table name from the model, values as parameters
    masks: list[list[int] | list[date]] = [*_month_masks(workdays, first, last), *_range_masks(excused, first, last)]
    params: list[Any] = [*(array_literal(column) for column in masks), first, last.replace(day=1)]
    if township_ids is not None:
        params += [array_literal(township_ids), array_literal(cadre_ids)]
    written: dict[tuple[int, int], tuple[int, int]] = {}
    low, high = None, None
    with connections[current_read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        for township_id, author_id, n, n_on_time, first_id, last_id in cursor:
            if n:
                written[township_id, author_id] = (int(n), int(n_on_time))
            low = first_id if low is None else min(low, first_id)
            high = last_id if high is None else max(high, last_id)
    return PeriodPass(written=written, bound=(low, high) if low is not None and high is not None else (1, 0),
                      villages=_village_months(first, last, township_ids) if villages else None)


def _village_months(first: date, last: date, township_ids: list[int] | None) -> dict[int, int]:
    """The diaries of the whole months first..last by village, of the scoped townships."""
    scope = "" if township_ids is None else "AND township_id = ANY(%s::bigint[])"
    sql = f"""
        SELECT village_id, SUM(bit_count(written::bit(32))) FROM {DiaryVillageMonth._meta.db_table}
        WHERE month BETWEEN %s AND %s {scope} GROUP BY village_id
    """  # noqa: S608 - table name from the model, values as parameters
    params: list[Any] = [first, last.replace(day=1)] + ([] if township_ids is None else [array_literal(township_ids)])
    with connections[current_read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return {village_id: int(n) for village_id, n in cursor if n}


def _period_pass_portable(
    *, start: date, end: date, township_ids: list[int] | None, workdays: dict[int, list[date]]
) -> PeriodPass:
    """Other databases (SQLite in development): one grouped query per township calendar."""
    # Only the absences that touch the period: the database hashes the whole subquery otherwise.
    excused_exists = Exists(
        ExcusedAbsence.objects.filter(start__lte=end, end__gte=start).filter(
            cadre_id=OuterRef("author_id"), start__lte=OuterRef("date"), end__gte=OuterRef("date")
        )
    )
    calendars: dict[tuple[date, ...], list[int]] = defaultdict(list)
    for township_id, days in workdays.items():
        if days:
            calendars[tuple(days)].append(township_id)
    written: dict[tuple[int, int], tuple[int, int]] = {}
    for calendar, townships in calendars.items():
        rows = (
            Diary.objects.filter(township_id__in=townships, date__in=calendar, deleted_at__isnull=True)
            .alias(excused=excused_exists)
            .filter(excused=False)
            .values("township_id", "author_id")
            .annotate(written=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
        )
        for row in rows:
            written[row["township_id"], row["author_id"]] = (row["written"], row["on_time"])
    return PeriodPass(written=written)


def _cadre_figures(
    *, start: date, end: date, township_ids: Iterable[int] | None, cadre_ids: Iterable[int] | None,
    villages: bool = False,
) -> tuple[list[dict[str, Any]], dict[int, Figures], list[Coverage], dict[int, int] | None]:
    """cadre_figures, the coverage rows it counted (the village grouping reuses them) and, with
    `villages` on PostgreSQL, the period's diaries by village counted in the same pass."""
    township_ids = None if township_ids is None else list(township_ids)
    cadres = _cadres(township_ids, cadre_ids)
    figures: dict[int, Figures] = {c["pk"]: Figures(cadres={c["pk"]}) for c in cadres}
    if not cadres:
        return cadres, figures, [], None
    ids = list(figures)
    by_township: dict[int, list[int]] = defaultdict(list)
    for c in cadres:
        by_township[c["township_id"]].append(c["pk"])
    # The cadres as a subquery: a county's 3,600 ids as parameters cost more to send than to read.
    excused = excused_ranges(_cadre_query(township_ids, cadre_ids).values("pk"), start=start, end=end)
    workdays = workdays_by_township(start, end, by_township)
    for township_id, days in workdays.items():
        for cadre_id in by_township[township_id]:
            away = sum(_count_within(days, first, last) for first, last in excused.get(cadre_id, ()))
            figures[cadre_id].expected = len(days) - away
    home = {c["pk"]: c["township_id"] for c in cadres}
    if connections[current_read_alias()].vendor == "postgresql":
        period = _split_pass(
            start=start, end=end, township_ids=township_ids, cadre_ids=ids, workdays=workdays, excused=excused,
            villages=villages,
        )
    else:
        period = _period_pass_portable(start=start, end=end, township_ids=township_ids, workdays=workdays)
    # A diary counts for its author's own township only (not one they left).
    for (township_id, author_id), (written, on_time) in period.written.items():
        if home.get(author_id) == township_id:
            figures[author_id].written += written
            figures[author_id].on_time += on_time
    counted = coverage(start=start, end=end, cadre_ids=ids, bound=period.bound)
    for links in counted:
        figures[links.cadre_id].households += links.total
        figures[links.cadre_id].households_visited += links.visited
    return cadres, figures, counted, period.villages


@dataclass(frozen=True)
class Coverage:
    """Contact links of one cadre, village and kind active in a period, and how many were visited."""

    cadre_id: int
    village_id: int
    kind: str
    total: int
    visited: int


def coverage(
    *, start: date, end: date, cadre_ids: Iterable[int] | None = None, township_ids: Iterable[int] | None = None,
    bound: tuple[int, int] | None = None,
) -> list[Coverage]:
    """Contact links (联系户) active at some point in [start, end], counted by cadre, village and kind.

    A link counts as visited when a diary of its cadre in the period lists the household. Each
    link asks whether such a diary exists, reading its household's links within the ids of the
    period's diaries (`bound`: the lowest and highest; counted here when not given). Diaries are
    written day by day, so a short period's ids form a narrow range and PostgreSQL hashes the
    period's links once; over a long one it follows each household's links and stops at the first
    visit, so neither grows with all history (a period-first join read all 650,000 links of 27
    months at 1M diaries: 3 s). The indexes `diary_households_household_diary_idx` and
    `diary_id_author_date_idx` keep both paths in the indexes.
    The cadres: `cadre_ids`, or every cadre (whatever their level or state) of `township_ids`.
    """
    diary, links = Diary._meta.db_table, Diary.households.through._meta.db_table
    contact, household = HouseholdContact._meta.db_table, Household._meta.db_table
    alias = current_read_alias()
    # On PostgreSQL the ids travel as one array: a county's 3,600 placeholders cost psycopg more to
    # parse than the statement costs to plan.
    array = connections[alias].vendor == "postgresql"
    if township_ids is not None:
        ids = sorted(set(township_ids))
        places = "SELECT unnest(%s::bigint[])" if array else ", ".join(["%s"] * len(ids))
        marks = f"SELECT id FROM {Cadre._meta.db_table} WHERE township_id IN ({places})"  # noqa: S608 - model's table
    else:
        ids = sorted(set(cadre_ids or ()))
        marks = "SELECT unnest(%s::bigint[])" if array else ", ".join(["%s"] * len(ids))
    if not ids:
        return []
    id_params: list[Any] = [array_literal(ids)] if array else ids
    with connections[alias].cursor() as cursor:
        if bound is not None:
            low, high = bound
        elif connections[alias].vendor != "postgresql":
            low, high = 0, 2**63 - 1  # elsewhere (SQLite in development) the narrowing is not worth a query
        else:
            # `id + 0`: not the primary key's order, which would walk every older diary to the period.
            cursor.execute(
                f"SELECT MIN(id + 0), MAX(id + 0) FROM {diary} "  # noqa: S608 - model's table
                f"WHERE date BETWEEN %s AND %s AND deleted_at IS NULL AND author_id IN ({marks})",
                [start, end, *id_params],
            )
            first, last = cursor.fetchone() or (None, None)
            low, high = (first, last) if first is not None and last is not None else (1, 0)
        sql = f"""
            SELECT c.cadre_id, h.village_id, c.kind, COUNT(*),
                   SUM(CASE WHEN EXISTS (
                       SELECT 1 FROM {links} l JOIN {diary} d ON d.id = l.diary_id
                       WHERE l.household_id = c.household_id AND l.diary_id BETWEEN %s AND %s
                         AND d.author_id = c.cadre_id AND d.date BETWEEN %s AND %s AND d.deleted_at IS NULL
                   ) THEN 1 ELSE 0 END)
            FROM {contact} c
            JOIN {household} h ON h.id = c.household_id
            WHERE c.cadre_id IN ({marks}) AND h.is_active AND c.start <= %s AND (c."end" IS NULL OR c."end" >= %s)
            GROUP BY c.cadre_id, h.village_id, c.kind
        """  # noqa: S608 - table names from the models, values as parameters
        cursor.execute(sql, [low, high, start, end, *id_params, end, start])
        return [Coverage(cadre_id, village_id, kind, total, int(visited))
                for cadre_id, village_id, kind, total, visited in cursor.fetchall()]


def completeness(
    *,
    start: date,
    end: date,
    by: str,
    township_ids: Iterable[int] | None = None,
    cadre_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Rows for the report: one per cadre, unit or village (see the module docstring)."""
    if by not in BY_CHOICES:
        raise ValueError(by)
    township_ids = None if township_ids is None else list(township_ids)
    cadres, figures, counted, village_diaries = _cadre_figures(
        start=start, end=end, township_ids=township_ids, cadre_ids=cadre_ids, villages=by == "village")
    if by == "cadre":
        return [
            {"cadre_id": c["pk"], "cadre": c["name"], "unit_id": c["unit_id"], "unit": c["unit__name"] or "",
             **figures[c["pk"]].as_dict()}
            for c in cadres
        ]
    if by == "unit":
        return _by_unit(cadres, figures, township_ids)
    if by == "township":
        return _by_township(cadres, figures, township_ids)
    return _by_village(cadres, figures, counted, township_ids, start, end, village_diaries,
                       _cadre_query(township_ids, cadre_ids).values("pk"))


def _by_unit(cadres: list[dict[str, Any]], figures: dict[int, Figures], township_ids: list[int] | None) -> list[dict[str, Any]]:
    units = Unit.objects.filter(is_active=True).order_by("township_id", "id")
    if township_ids is not None:
        units = units.filter(township_id__in=township_ids)
    groups: dict[int | None, Figures] = {u.pk: Figures() for u in units}
    names: dict[int | None, str] = {u.pk: u.name for u in units}
    for c in cadres:
        group = groups.setdefault(c["unit_id"], Figures())
        names.setdefault(c["unit_id"], c["unit__name"] or _("镇领导及未分配单位"))
        own = figures[c["pk"]]
        group.add(own)
        group.households += own.households
        group.households_visited += own.households_visited
        group.cadres.add(c["pk"])
    return [{"unit_id": key, "unit": names[key], **group.as_dict()} for key, group in groups.items()]


def _by_township(cadres: list[dict[str, Any]], figures: dict[int, Figures],
                 township_ids: list[int] | None) -> list[dict[str, Any]]:
    """One row per township (the county's view): its cadres' figures and their households."""
    townships = Township.objects.order_by("code", "id")
    if township_ids is not None:
        townships = townships.filter(pk__in=township_ids)
    names = dict(townships.values_list("pk", "name"))
    groups: dict[int, Figures] = {pk: Figures() for pk in names}
    for c in cadres:
        group = groups.get(c["township_id"])
        if group is None:
            continue
        own = figures[c["pk"]]
        group.add(own)
        group.households += own.households
        group.households_visited += own.households_visited
        group.cadres.add(c["pk"])
    return [{"township": pk, "township_name": names[pk], **group.as_dict()} for pk, group in groups.items()]


def _by_village(
    cadres: list[dict[str, Any]], figures: dict[int, Figures], counted: list[Coverage], township_ids: list[int] | None,
    start: date, end: date, diaries: dict[int, int] | None, cadre_query: Any,
) -> list[dict[str, Any]]:
    """`diaries`: the period's diaries by village when the period pass counted them, else counted
    here. `cadre_query`: the cadres' ids as a subquery (a county's ids as parameters cost more)."""
    villages = Village.objects.filter(is_active=True).order_by("township_id", "code")
    if township_ids is not None:
        villages = villages.filter(township_id__in=township_ids)
    village_list = list(villages.values("pk", "name"))
    groups: dict[int, Figures] = {v["pk"]: Figures() for v in village_list}
    for village_id, cadre_id in (
        VillageAssignment.objects.filter(cadre_id__in=cadre_query, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .values_list("village_id", "cadre_id")
        .order_by()
        .distinct()
    ):
        group = groups.get(village_id)
        if group is not None and cadre_id not in group.cadres:
            group.cadres.add(cadre_id)
            group.add(figures[cadre_id])
    for links in counted:
        group = groups.get(links.village_id)
        if group is not None:
            group.households += links.total
            group.households_visited += links.visited
    if diaries is None:
        # County-wide, every village counts: a list of 400 ids tested on each diary would cost more.
        written = Diary.objects.filter(date__range=(start, end), deleted_at__isnull=True)
        if township_ids is not None:
            written = written.filter(township_id__in=township_ids)
        diaries = dict(written.values("village_id").annotate(n=Count("id")).values_list("village_id", "n"))
    return [
        {"village_id": v["pk"], "village": v["name"], **groups[v["pk"]].as_dict(), "diaries": diaries.get(v["pk"], 0)}
        for v in village_list
    ]


def township_totals(*, start: date, end: date, township_ids: Iterable[int] | None) -> dict[str, Any]:
    """One line for a whole township (the dashboard's figure)."""
    _cadre_rows, figures = cadre_figures(start=start, end=end, township_ids=township_ids)
    total = Figures()
    for own in figures.values():
        total.add(own)
        total.households += own.households
        total.households_visited += own.households_visited
        total.cadres |= own.cadres
    return total.as_dict()


def daily_totals(*, start: date, end: date, township_ids: Iterable[int] | None) -> dict[date, tuple[int, int]]:
    """`township_totals`' expected and written diary days, day by day over [start, end] (days
    with neither are left out): a caller that shows several periods within one window (the
    dashboard's week, month and eight weeks) sums the days of each instead of counting each
    period again. Three queries: the cadres with their excused days, the calendar and one grouped
    pass over the window's diaries; no coverage (the dashboard does not show it)."""
    township_ids = None if township_ids is None else list(township_ids)
    by_township, excused = _cadres_and_absences(start=start, end=end, township_ids=township_ids)
    if not by_township:
        return {}
    workdays = workdays_by_township(start, end, by_township)
    expected: dict[date, int] = defaultdict(int)
    for township_id, days in workdays.items():
        group = by_township[township_id]
        away: dict[date, int] = defaultdict(int)
        for pk in group:
            for day in excused.get(pk, ()):
                away[day] += 1
        for day in days:
            expected[day] += len(group) - away[day]
    if connections[current_read_alias()].vendor == "postgresql":
        written = _daily_pass(start=start, end=end, by_township=by_township, workdays=workdays, excused=excused)
    else:
        written = _daily_pass_portable(by_township=by_township, workdays=workdays, start=start, end=end)
    return {day: (expected.get(day, 0), written.get(day, 0)) for day in sorted({*expected, *written})}


def _cadres_and_absences(
    *, start: date, end: date, township_ids: list[int] | None
) -> tuple[dict[int, list[int]], dict[int, set[date]]]:
    """The active township-level cadres by township and their excused days within start..end
    (excused_days' days), in one plain statement: the cadres' ids no longer travel back as a
    list of parameters, and neither statement is built by the ORM on a cold dashboard."""
    connection = connections[current_read_alias()]
    quote = connection.ops.quote_name
    townships, params = township_clause("c.township_id", township_ids)
    sql = (
        f"SELECT c.id, c.township_id, a.start, a.{quote('end')} FROM {Cadre._meta.db_table} c"  # noqa: S608
        f" LEFT JOIN {ExcusedAbsence._meta.db_table} a ON a.cadre_id = c.id AND a.start <= %s"
        f" AND a.{quote('end')} >= %s WHERE c.is_active AND c.level = %s{townships}"
    )
    by_township: dict[int, list[int]] = defaultdict(list)
    excused: dict[int, set[date]] = defaultdict(set)
    seen: set[int] = set()
    for pk, township_id, a_start, a_end in read_rows(sql, [end, start, Cadre.Level.TOWNSHIP.value, *params]):
        if pk not in seen:
            seen.add(pk)
            by_township[township_id].append(pk)
        if a_start is not None:
            _add_days(excused[pk], row_date(a_start), row_date(a_end), start=start, end=end)
    return by_township, excused


def _daily_pass(
    *, start: date, end: date, by_township: dict[int, list[int]], workdays: dict[int, list[date]],
    excused: dict[int, set[date]],
) -> dict[date, int]:
    """PostgreSQL: the window's counted diaries per day in one grouped query. A diary counts as in
    `_period_pass`: on a workday of its township, its author not excused, and written in the
    author's own township (the (author, township) pair is a key like the days')."""
    homes = [pk * 100000 + township_id for township_id, group in by_township.items() for pk in group]
    sql = f"""
        SELECT date, COUNT(*) FROM {Diary._meta.db_table}
        WHERE date BETWEEN %s AND %s AND deleted_at IS NULL AND township_id = ANY(%s::bigint[])
          AND author_id * 100000 + township_id = ANY(%s::bigint[])
          AND {DAY_KEY.format(column='township_id')} = ANY(%s::bigint[])
          AND NOT {DAY_KEY.format(column='author_id')} = ANY(%s::bigint[])
        GROUP BY 1
    """  # noqa: S608 - table name from the model, values as parameters
    params: list[Any] = [start, end, list(by_township), homes, _day_keys(workdays), _day_keys(excused)]
    with planned_once(connections[current_read_alias()]) as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _daily_pass_portable(
    *, by_township: dict[int, list[int]], workdays: dict[int, list[date]], start: date, end: date
) -> dict[date, int]:
    """Other databases (SQLite in development): one grouped query per township."""
    excused_exists = Exists(
        ExcusedAbsence.objects.filter(start__lte=end, end__gte=start).filter(
            cadre_id=OuterRef("author_id"), start__lte=OuterRef("date"), end__gte=OuterRef("date")
        )
    )
    written: dict[date, int] = defaultdict(int)
    for township_id, group in by_township.items():
        days = workdays.get(township_id)
        if not days:
            continue
        rows = (
            Diary.objects.filter(township_id=township_id, author_id__in=group, date__in=days, deleted_at__isnull=True)
            .alias(excused=excused_exists).filter(excused=False)
            .values("date").annotate(n=Count("id")).order_by()
        )
        for row in rows:
            written[row["date"]] += row["n"]
    return written
