"""Dashboard panels of the daily loop (portal/dashboard.py): for a cadre, today's diary, the
missed days still open, my matters by light and my households not visited lately; for the leaders
and the office, the township's figures for this week and this month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cadres.calendar import excused_from, workdays_from
from cadres.models import Cadre
from cadres.roles import Actor, Role
from cadres.selectors import QuotaStatus, quota_of
from core.dashboard import shared_figures
from supervision.dashboard.figures import matter_figures, period_totals, window_days
from supervision.dashboard.own import OwnRows, own_rows
from supervision.dashboard.panel_html import households_html
from supervision.selectors.diaries import backfill_days
from supervision.selectors.households import STALE_AFTER_DAYS, stale_among

SHOWN_STALE = 5


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    out: list[dict[str, Any]] = []
    cadre = actor.cadre
    if cadre is not None:
        # The today panel and the households panel read the cadre's own rows together.
        window = _window(today) if cadre.level == Cadre.Level.TOWNSHIP else None
        own = own_rows(actor, cadre, today=today, window=window)
        if window is not None:
            out.append(_today_panel(cadre, today, own))
        out.append(_lights(own.lights))
        quota = quota_of(cadre, [c.kind for c in own.contacts], own.quota_table)
        households = _households_panel(quota, stale_among(own.contacts))  # type: ignore[arg-type]
        if households is not None:
            out.append(households)
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        out.append(shared_figures("township", actor, lambda: _township_panel(actor, today)))
    return out


def _households_panel(quota: QuotaStatus, stale: Sequence[Any]) -> dict[str, Any] | None:
    if not (quota.has_quota or stale):
        return None
    panel = {
        "template": "cadres/panel_households.html",
        "order": 20,
        "quota": quota,
        "stale": stale[:SHOWN_STALE],
        "stale_count": len(stale),
        "stale_after": STALE_AFTER_DAYS,
    }
    # Written in Python, as its template would (panel_html): rendered on every visit.
    panel["html"] = households_html(panel)
    return panel


def _window(today: date) -> tuple[date, date]:
    """The backfill window's first day and yesterday: the days a missed diary may still be written."""
    return today - timedelta(days=backfill_days()), today - timedelta(days=1)


def _today_panel(cadre: Cadre, today: date, own: OwnRows) -> dict[str, Any]:
    window_start, yesterday = _window(today)
    excused = excused_from(own.absences, window_start, today).get(cadre.pk, set())
    missed = [d for d in workdays_from(own.calendar, window_start, yesterday) if d not in own.diaries and d not in excused]
    return {
        "template": "supervision/diaries/_panel_today.html",
        "order": 10,
        "today": today,
        "today_diary_id": own.diaries.get(today),
        "missed": sorted(missed, reverse=True),
    }


def _lights(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "template": "supervision/matters/_panel_lights.html",
        "order": 20,
        "red": counts.get("red", 0),
        "yellow": counts.get("yellow", 0),
        "green": counts.get("green", 0),
    }


def _township_panel(actor: Actor, today: date) -> dict[str, Any]:
    township_ids = None if actor.is_superuser else actor.township_ids
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    periods = {"week": week_start, "month": month_start}
    # The matter charts count the same matters: one statement for both.
    matters = matter_figures(actor, today)
    # The week and the month lie within the charts' eight weeks: their days are counted once.
    days = window_days(township_ids, today)
    figures = {}
    for key, start in periods.items():
        totals = period_totals(days, start, today)
        figures[key] = {"start": start, "completeness": totals["completeness"], "expected": totals["expected"],
                        "written": totals["written"], "raised": matters.raised[key],
                        "closed": matters.closed[key]}
    return {
        "template": "supervision/diaries/_panel_township.html",
        "order": 40,
        "week": figures["week"],
        "month": figures["month"],
        "overdue": matters.overdue,
        "today": today,
    }
