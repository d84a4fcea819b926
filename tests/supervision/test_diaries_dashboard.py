"""The dashboard's daily-loop panels: today's diary and my matters for a cadre, township figures for
leaders; their query counts stay the same with 1 or 50 rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from supervision.dashboard.diaries_matters import panels
from tests import factories as f
from tests.helpers import assert_num_queries, assert_same_queries


def by_template(result):  # type: ignore[no-untyped-def]
    return {p["template"].rsplit("/", 1)[-1]: p for p in result}


def test_cadre_sees_todays_diary_missing_then_written(client, world):
    client.force_login(world.cadre1.user)
    html = client.get("/").content.decode()
    assert "今天的民情日记" in html and "未写" in html and 'href="/diaries/new/"' in html
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1)
    html = client.get("/").content.decode()
    assert "已写" in html and f'href="/diaries/{diary.pk}/"' in html


def test_my_matters_by_light_and_households_not_visited(world):
    today = timezone.localdate()
    f.MatterFactory(village=world.v1, assignee=world.cadre1, unit=world.unit, status="assigned",
                    deadline=today - dt.timedelta(days=1))
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, status="registered", deadline=today + dt.timedelta(days=1))
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, status="closed", deadline=today - dt.timedelta(days=9))
    f.MatterFactory(village=world.v1, status="registered", deadline=today + dt.timedelta(days=20))  # not mine
    result = by_template(panels(actor_for(world.cadre1.user), world.cadre1.user))
    lights = result["_panel_lights.html"]
    assert (lights["red"], lights["yellow"], lights["green"]) == (1, 1, 0)
    assert "_panel_township.html" not in result
    # households not visited lately are listed once, in the households panel
    assert "not_visited" not in result["_panel_today.html"]
    assert [c.household.head_name for c in result["panel_households.html"]["stale"]] == [world.h1.head_name]


def test_leaders_see_township_figures_and_reporter_sees_no_panel(client, world):
    f.DiaryFactory(author=world.cadre1, village=world.v1)
    result = by_template(panels(actor_for(world.secretary.user), world.secretary.user))
    township = result["_panel_township.html"]
    assert township["week"]["written"] >= 0 and township["month"]["expected"] >= township["month"]["written"]
    assert panels(actor_for(world.reporter_user), world.reporter_user) == []
    client.force_login(world.office.user)
    assert "全镇民情日记与台账" in client.get("/").content.decode()


def _fill(world, rows):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for i in range(rows):
        f.DiaryFactory(author=world.cadre1 if i % 2 else world.cadre2, village=world.v1,
                       date=today - dt.timedelta(days=i // 2))
        f.MatterFactory(village=world.v1, assignee=world.cadre1, unit=world.unit, status="assigned",
                        deadline=today + dt.timedelta(days=i - 10))


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(("who", "queries"), [("cadre1", 1), ("secretary", 5)])
def test_panel_query_counts_are_pinned(world, rows, who, queries):
    _fill(world, rows)
    user = world.users[who]
    actor = actor_for(user)
    with assert_num_queries(queries):
        panels(actor, user)


@pytest.mark.parametrize("who", ["cadre1", "secretary"])
def test_dashboard_page_query_count_does_not_grow_with_rows(client, world, who):
    client.force_login(world.users[who])
    _fill(world, 1)
    one, many = assert_same_queries(lambda: client.get("/"), lambda: _more(world), warm=True)
    assert (one.status_code, many.status_code) == (200, 200)


def _more(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for i in range(49):
        f.DiaryFactory(author=world.cadre3, village=world.v3, date=today - dt.timedelta(days=i + 1))
        f.MatterFactory(village=world.v1, assignee=world.cadre1, unit=world.unit, status="in_progress",
                        deadline=today + dt.timedelta(days=i - 20))


def test_missed_days_count_the_calendar_absences_and_only_my_diaries(world):
    """Today's panel reads diaries, absences and the calendar in one query: each still counts."""
    from zoneinfo import ZoneInfo

    import time_machine

    from cadres.models import CalendarDay, ExcusedAbsence

    # Friday 2026-11-27; the window (3 days back) is Tue 24, Wed 25, Thu 26.
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 24))
        f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 11, 26))  # not mine
        ExcusedAbsence.objects.create(cadre=world.cadre2, start=dt.date(2026, 11, 25), end=dt.date(2026, 11, 25))
        CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=False)  # national day off
        CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=True, township=world.township)
        today = by_template(panels(actor_for(world.cadre1.user), world.cadre1.user))["_panel_today.html"]
        assert (today["today_diary_id"], today["missed"]) == (None, [dt.date(2026, 11, 26), dt.date(2026, 11, 25)])
        ExcusedAbsence.objects.create(cadre=world.cadre1, start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 25))
        mine = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 27))
        today = by_template(panels(actor_for(world.cadre1.user), world.cadre1.user))["_panel_today.html"]
        assert (today["today_diary_id"], today["missed"]) == (mine.pk, [dt.date(2026, 11, 26)])
        CalendarDay.objects.create(date=dt.date(2026, 11, 26), is_workday=False, township=world.other_township)
        CalendarDay.objects.create(date=dt.date(2026, 11, 26), is_workday=False, township=world.township)
        today = by_template(panels(actor_for(world.cadre1.user), world.cadre1.user))["_panel_today.html"]
        assert today["missed"] == []
