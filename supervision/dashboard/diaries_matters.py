"""Dashboard panels of the daily loop (portal/dashboard.py): for a cadre, today's diary, the
missed days still open, my matters by light and my households not visited lately; for the leaders
and the office, the township's figures for this week and this month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, DateField, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from cadres.calendar import calendar_rows, excused_from, workdays_from
from cadres.models import Cadre, ExcusedAbsence
from cadres.roles import Actor, Role
from cadres.selectors import quota_of, quota_status
from core.dashboard import shared_figures
from supervision.dashboard.charts import period_totals, window_days
from supervision.models import Diary, Matter
from supervision.selectors.diaries import backfill_days
from supervision.selectors.households import STALE_AFTER_DAYS, my_contacts, stale_among
from supervision.selectors.matters import filter_mine, light_expression, matters_for, overdue_q

SHOWN_STALE = 5


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    out: list[dict[str, Any]] = []
    cadre = actor.cadre
    if cadre is not None and cadre.level == Cadre.Level.TOWNSHIP:
        out.append(_today_panel(cadre, today))
    if cadre is not None:
        out.append(_lights_panel(actor, today))
        households = households_panel(actor, cadre)
        if households is not None:
            out.append(households)
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        out.append(shared_figures("township", actor, lambda: _township_panel(actor, today)))
    return out


def households_panel(actor: Actor, cadre: Cadre) -> dict[str, Any] | None:
    """My contact-household quota and the households not visited lately (oldest first)."""
    # The active contacts are read once: the quota counts them by kind, the visits by date.
    contacts = list(my_contacts(actor))
    quota = quota_of(cadre, [c.kind for c in contacts]) if actor.cadre_id == cadre.pk else quota_status(cadre)
    stale = stale_among(contacts)
    if not (quota.has_quota or stale):
        return None
    return {
        "template": "cadres/panel_households.html",
        "order": 20,
        "quota": quota,
        "stale": stale[:SHOWN_STALE],
        "stale_count": len(stale),
        "stale_after": STALE_AFTER_DAYS,
    }


def _today_panel(cadre: Cadre, today: date) -> dict[str, Any]:
    window_start = today - timedelta(days=backfill_days())
    yesterday = today - timedelta(days=1)
    written: dict[date, int] = {}
    absences: list[tuple[int, date, date]] = []
    calendar: list[tuple[date, bool, int | None]] = []
    for kind, day, number, until, flag in _today_rows(cadre, window_start, today):
        if kind == 0:
            written[day] = number
        elif kind == 1:
            absences.append((cadre.pk, day, until))
        else:
            calendar.append((day, flag, number))
    excused = excused_from(absences, window_start, today).get(cadre.pk, set())
    missed = [d for d in workdays_from(calendar, window_start, yesterday) if d not in written and d not in excused]
    return {
        "template": "supervision/diaries/_panel_today.html",
        "order": 10,
        "today": today,
        "today_diary_id": written.get(today),
        "missed": sorted(missed, reverse=True),
    }


def _today_rows(cadre: Cadre, window_start: date, today: date) -> list[tuple[Any, ...]]:
    """The window's diaries, excused absences and calendar days in one query, as
    (kind, day, number, until, flag): 0 = a diary (its id), 1 = an absence (until its end),
    2 = a calendar row (the township, is_workday)."""
    no_int, no_date, no_bool = (Cast(Value(None), field()) for field in (IntegerField, DateField, BooleanField))
    diaries = (Diary.objects.filter(author=cadre, date__range=(window_start, today), deleted_at__isnull=True)
               .order_by().values_list(Value(0), "date", "pk", no_date, no_bool))
    absences = (ExcusedAbsence.objects.filter(cadre=cadre, start__lte=today, end__gte=window_start)
                .order_by().values_list(Value(1), "start", no_int, "end", no_bool))
    days = (calendar_rows(window_start, today - timedelta(days=1), cadre.township_id)
            .order_by().values_list(Value(2), "date", "township_id", no_date, "is_workday"))
    return list(diaries.union(absences, days, all=True))


def _lights_panel(actor: Actor, today: date) -> dict[str, Any]:
    rows = (
        filter_mine(matters_for(actor), actor)
        .filter(status__in=Matter.OPEN_STATUSES)
        .annotate(light=light_expression(today))
        .values("light")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["light"]: row["n"] for row in rows}
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
    matters = matters_for(actor).aggregate(
        week_raised=Count("id", filter=Q(created_at__date__range=(week_start, today))),
        week_closed=Count("id", filter=Q(closed_at__date__range=(week_start, today))),
        month_raised=Count("id", filter=Q(created_at__date__range=(month_start, today))),
        month_closed=Count("id", filter=Q(closed_at__date__range=(month_start, today))),
        overdue=Count("id", filter=overdue_q(today)),
    )
    # The week and the month lie within the charts' eight weeks: their days are counted once.
    days = window_days(township_ids, today)
    figures = {}
    for key, start in periods.items():
        totals = period_totals(days, start, today)
        figures[key] = {"start": start, "completeness": totals["completeness"], "expected": totals["expected"],
                        "written": totals["written"], "raised": matters[f"{key}_raised"],
                        "closed": matters[f"{key}_closed"]}
    return {
        "template": "supervision/diaries/_panel_township.html",
        "order": 40,
        "week": figures["week"],
        "month": figures["month"],
        "overdue": matters["overdue"],
        "today": today,
    }
