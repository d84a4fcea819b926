"""Figures that several shared dashboard panels count alike, counted once per page.

The township panel's week and month lie within the charts' eight weeks; the disclosure chart and
the gaps panel read the same last checked quarter; the pledge chart and the chain panel count the
same pledges by status. When the page computes more than one of these panels afresh (the cache
expired), each figure is read once (core.dashboard.batch_once); a panel computed alone reads its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count

from cadres.roles import Actor
from core.dashboard import batch_once
from supervision.quarters import Quarter
from supervision.selectors.disclosures import last_checked_quarter
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
    return batch_once(("last-checked-quarter", *_scope(actor)), lambda: last_checked_quarter(actor))


def pledge_counts(actor: Actor, year: int) -> dict[str, int]:
    """The actor's pledges of `year` by status (statuses without one left out)."""
    return batch_once(
        ("pledge-counts", year, *_scope(actor)),
        lambda: dict(
            pledges_for(actor).filter(year=year).values("status").annotate(n=Count("id")).order_by()
            .values_list("status", "n")
        ),
    )
