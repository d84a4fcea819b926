"""Figures that several shared dashboard panels count alike, counted once per page.

The township panel's week and month lie within the charts' eight weeks, and it counts the same
matters as the matter charts; the disclosure chart and
the gaps panel read the same last checked quarter; the pledge chart and the chain panel count the
same pledges by status. When the page computes more than one of these panels afresh (the cache
expired), each figure is read once (core.dashboard.batch_once); a panel computed alone reads its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Count
from django.utils import timezone

from cadres.models import School, Village
from cadres.roles import Actor
from cadres.scope import sees_no_township
from core.dashboard import batch_once
from core.replica import current_read_alias
from core.sql import read_row, read_rows, township_clause
from supervision.models import DisclosureCheck, Matter
from supervision.quarters import Quarter
from supervision.selectors.disclosures import last_checked_quarter
from supervision.selectors.matters import GREEN, RED, YELLOW, yellow_days
from supervision.selectors.pledges import pledges_for
from supervision.services.completeness import daily_totals, percent

WEEKS = 8


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def window_days(township_ids: Iterable[int] | None, today: date) -> dict[date, tuple[int, int]]:
    """Expected and written diary days of each day of the charts' weeks up to today (the rule of
    services.completeness.township_totals)."""
    ids = None if township_ids is None else tuple(sorted(township_ids))
    start = week_starts(today)[0]
    return batch_once(("diary-days", ids, start, today), lambda: daily_totals(start=start, end=today, township_ids=ids))


def period_totals(days: dict[date, tuple[int, int]], start: date, end: date) -> dict[str, Any]:
    """The expected and written days of [start, end] among `window_days`, and their completeness."""
    expected = sum(e for day, (e, _w) in days.items() if start <= day <= end)
    written = sum(w for day, (_e, w) in days.items() if start <= day <= end)
    return {"expected": expected, "written": written, "completeness": percent(written, expected)}


def _scope(actor: Actor) -> tuple[Any, ...]:
    return (actor.township_ids, actor.roles, actor.is_superuser, actor.cadre_id)


def quarter_checked_last(actor: Actor) -> Quarter | None:
    """selectors.disclosures.last_checked_quarter; for the township-wide roles (all who see the
    disclosure chart and the gaps panel) in one plain statement over their townships, ~0.5 ms of
    CPU less than building checks_for's. tests/supervision/test_dashboard_disclosures.py holds the
    two equal."""
    if not actor.township_wide:
        return batch_once(("last-checked-quarter", *_scope(actor)), lambda: last_checked_quarter(actor))
    return batch_once(("last-checked-quarter", *_scope(actor)), lambda: _quarter_checked_last(actor))


def _quarter_checked_last(actor: Actor) -> Quarter | None:
    if sees_no_township(actor):
        return None
    townships, params = township_clause("township_id", actor.township_ids, "WHERE")
    # The table from the model, placeholders from this function: no caller text.
    sql = (f"SELECT year, quarter FROM {DisclosureCheck._meta.db_table}{townships}"  # noqa: S608
           " ORDER BY year DESC, quarter DESC LIMIT 1")
    row = read_row(sql, params)
    return Quarter(row[0], row[1]) if row else None


def pledge_counts(actor: Actor, year: int) -> dict[str, int]:
    """The actor's pledges of `year` by status (statuses without one left out)."""
    return batch_once(
        ("pledge-counts", year, *_scope(actor)),
        lambda: dict(
            pledges_for(actor).filter(year=year).values("status").annotate(n=Count("id")).order_by()
            .values_list("status", "n")
        ),
    )


class CheckRow(NamedTuple):
    """What the disclosure chart and the gaps panel show of one check of a quarter."""

    village: str | None
    school: str | None
    on_time: int
    late: int
    missing: int


def quarter_checks(actor: Actor, quarter: Quarter) -> list[CheckRow]:
    """The checks of `quarter` the actor sees, by township and village code (the township's own
    and its schools' where the database puts a missing code).

    Read only for the township-wide roles (the leaders, the office, the county, a superuser: all
    who see the charts or the gaps panel), whose scope (selectors.disclosures.checks_for) comes
    down to their townships: one plain statement, ~10 times cheaper to build than checks_for's
    queryset. tests/supervision/test_dashboard_disclosures.py holds it equal to checks_for."""
    if not actor.township_wide:
        raise ValueError("quarter_checks is read for township-wide roles only")
    if sees_no_township(actor):
        return []
    return batch_once(("quarter-checks", quarter, *_scope(actor)), lambda: _quarter_checks(actor, quarter))


def _quarter_checks(actor: Actor, quarter: Quarter) -> list[CheckRow]:
    check, village, school = DisclosureCheck._meta.db_table, Village._meta.db_table, School._meta.db_table
    townships, township_params = township_clause("c.township_id", actor.township_ids)
    params: list[Any] = [quarter.year, quarter.quarter, *township_params]
    # Tables from the models, placeholders from this function: no caller text.
    sql = (
        f"SELECT v.name, s.name, c.on_time_count, c.late_count, c.missing_count FROM {check} c "  # noqa: S608
        f"LEFT JOIN {village} v ON v.id = c.village_id LEFT JOIN {school} s ON s.id = c.school_id "
        f"WHERE c.year = %s AND c.quarter = %s{townships} ORDER BY c.township_id, v.code, c.id"
    )
    return [CheckRow(*row) for row in read_rows(sql, params)]


class MatterFigures(NamedTuple):
    """The township panel's and the matter charts' counts of the actor's matters."""

    open_by: dict[tuple[str, str], int]  # (light, category) → open matters
    raised: dict[str, int]  # "week" / "month" → matters raised since its start
    closed: dict[str, int]  # "week" / "month" → matters closed since its start

    @property
    def overdue(self) -> int:
        # selectors.matters.overdue_q is the red light: open and past the deadline.
        return sum(n for (light, _category), n in self.open_by.items() if light == RED)


def matter_figures(actor: Actor, today: date) -> MatterFigures:
    """The actor's matters counted for the township panel (raised and closed this week and this
    month, overdue) and the matter charts (open ones by light and category), in one plain statement
    over the township's matters.

    Read only for the township-wide roles (the leaders, the office, the county, a superuser: all
    who see these panels), whose scope (selectors.matters.matters_for) comes down to their
    townships; through matters_for the two aggregates cost ~3 ms of CPU to build.
    tests/supervision/test_dashboard_matter_figures.py holds it equal to matters_for."""
    if not actor.township_wide:
        raise ValueError("matter_figures is read for township-wide roles only")
    if sees_no_township(actor):
        return MatterFigures({}, {"week": 0, "month": 0}, {"week": 0, "month": 0})
    return batch_once(("matter-figures", today, *_scope(actor)), lambda: _matter_figures(actor, today))


def _matter_figures(actor: Actor, today: date) -> MatterFigures:
    ops = connections[current_read_alias()].ops
    matter = Matter._meta.db_table
    starts = {"week": today - timedelta(days=today.weekday()), "month": today.replace(day=1)}
    # created_at__date__range=(start, today) on the local calendar, as a range of moments.
    moments = {key: ops.adapt_datetimefield_value(timezone.make_aware(datetime.combine(day, time.min)))
               for key, day in starts.items()}
    end = ops.adapt_datetimefield_value(timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min)))
    statuses = ", ".join(["%s"] * len(Matter.OPEN_STATUSES))
    # selectors.matters.light_expression.
    light = (f"CASE WHEN m.status IN ({statuses}) AND m.deadline < %s THEN %s"
             f" WHEN m.status IN ({statuses}) AND m.deadline <= %s THEN %s"
             f" WHEN m.status IN ({statuses}) THEN %s ELSE '' END")
    open_ = [s.value for s in Matter.OPEN_STATUSES]
    params: list[Any] = [*open_, ops.adapt_datefield_value(today), RED,
                         *open_, ops.adapt_datefield_value(today + timedelta(days=yellow_days())), YELLOW,
                         *open_, GREEN]
    counts = []
    for key in ("week", "month"):
        for column in ("created_at", "closed_at"):
            counts.append(f"COUNT(CASE WHEN m.{column} >= %s AND m.{column} < %s THEN 1 END)")
            params += [moments[key], end]
    townships, township_params = township_clause("m.township_id", actor.township_ids, "WHERE")
    params += township_params
    # Only the rows a figure counts: the open matters and those raised or closed since the earlier
    # of the periods' starts. The township's closed matters pile up over the years (1,300 of its
    # 1,530 at 1m): reading them all took 4 ms, the open ones and the period's through three
    # indexes 0.9 ms.
    since = moments[min(starts, key=lambda key: starts[key])]
    wanted = f"(m.status IN ({statuses}) OR m.created_at >= %s OR m.closed_at >= %s)"
    params += [*open_, since, since]
    where = f"{townships} AND {wanted}" if townships else f" WHERE {wanted}"
    # Tables from the models, conditions and placeholders from this function: no caller text.
    sql = (
        f"SELECT {light}, m.category, COUNT(*), {', '.join(counts)} FROM {matter} m{where} GROUP BY 1, 2"  # noqa: S608
    )
    open_by: dict[tuple[str, str], int] = {}
    raised = {"week": 0, "month": 0}
    closed = {"week": 0, "month": 0}
    for light_, category, n, week_raised, week_closed, month_raised, month_closed in read_rows(sql, params):
        if light_:
            open_by[(light_, category)] = n
        raised["week"] += week_raised
        closed["week"] += week_closed
        raised["month"] += month_raised
        closed["month"] += month_closed
    return MatterFigures(open_by, raised, closed)
