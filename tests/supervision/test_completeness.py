"""Completeness on a small known calendar: expected days (workdays less excused), written, on time,
by cadre, unit and village; household coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from cadres.models import CalendarDay, ExcusedAbsence
from supervision.services.completeness import completeness, daily_totals, township_totals
from tests import factories as f

START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 8)  # Monday … Sunday


@pytest.fixture
def week(world):  # type: ignore[no-untyped-def]
    """Workdays: Mon 2, Tue 3, Thu 5, Fri 6 and the make-up Saturday 7 (Wed 4 is a township holiday).
    cadre1 is excused on Thu 5 and writes Mon (on time), Tue (late), Thu (excused) and Sun (no duty);
    cadre2 writes every workday on time, visiting nobody."""
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 11, 4), is_workday=False, name="镇休")
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 11, 7), is_workday=True, name="调休")
    ExcusedAbsence.objects.create(cadre=world.cadre1, start=dt.date(2026, 11, 5), end=dt.date(2026, 11, 5))
    visit = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    visit.households.set([world.h1])
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 3), on_time=False)
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 5))
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 8))
    for day in (2, 3, 5, 6, 7):
        f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 11, day))
    f.DiaryFactory(author=world.outsider, village=world.v_other, date=dt.date(2026, 11, 2))
    return world


def figures(row):  # type: ignore[no-untyped-def]
    keys = ("cadres", "expected", "written", "on_time", "completeness", "on_time_rate", "households",
            "households_visited", "coverage")
    return tuple(row[k] for k in keys)


def test_by_cadre(week):
    rows = {r["cadre"]: r for r in completeness(start=START, end=END, by="cadre", township_ids=[week.township.pk])}
    assert figures(rows["干部甲"]) == (1, 4, 2, 1, 50.0, 25.0, 1, 1, 100.0)
    assert figures(rows["干部乙"]) == (1, 5, 5, 5, 100.0, 100.0, 1, 0, 0.0)
    assert figures(rows["书记"]) == (1, 5, 0, 0, 0.0, 0.0, 0, 0, None)
    assert "村书记" not in rows  # village cadres have no diary duty
    assert "外镇干部" not in rows
    assert rows["干部甲"]["unit"] == "农业服务中心"


def test_by_unit(week):
    rows = {r["unit"]: r for r in completeness(start=START, end=END, by="unit", township_ids=[week.township.pk])}
    # 站长 (5, nothing written), 干部甲 (4/2/1), 干部乙 (5/5/5)
    assert figures(rows["农业服务中心"]) == (3, 14, 7, 6, 50.0, 42.9, 2, 1, 50.0)
    assert figures(rows["财政所"]) == (1, 5, 0, 0, 0.0, 0.0, 0, 0, None)
    assert rows["党政办"]["cadres"] == 1
    # The leaders (no unit) are still counted, in their own line.
    assert figures(rows["镇领导及未分配单位"])[:3] == (4, 20, 0)


def test_by_village(week):
    rows = {r["village"]: r for r in completeness(start=START, end=END, by="village", township_ids=[week.township.pk])}
    # 东河村: its leading cadre (副镇长, 5 expected, none written) and 干部甲; 张三 visited; 4 diaries written there.
    assert figures(rows["东河村"]) == (2, 9, 2, 1, 22.2, 11.1, 1, 1, 100.0)
    assert rows["东河村"]["diaries"] == 4
    assert figures(rows["光明路村"]) == (1, 5, 5, 5, 100.0, 100.0, 1, 0, 0.0)
    assert rows["光明路村"]["diaries"] == 5
    assert "西山村" not in rows


def test_a_village_counts_the_period_s_diaries_about_it_in_the_scoped_townships(week):
    """On PostgreSQL the village counts come from the period pass (a second grouping set): they
    count what the report's own query counted before: the period's diaries, not withdrawn, of the
    scoped townships, whoever wrote them."""
    from django.utils import timezone

    # given cadre2's diary filed under the other township, a withdrawn one and one past the period
    f.DiaryFactory(author=week.cadre2, village=week.v_other, date=dt.date(2026, 11, 4), township=week.other_township)
    f.DiaryFactory(author=week.cadre1, village=week.v1, date=dt.date(2026, 11, 6), deleted_at=timezone.now())
    f.DiaryFactory(author=week.cadre1, village=week.v1, date=dt.date(2026, 11, 9))
    # when the township and the county are reported by village
    township = {r["village"]: r["diaries"] for r in completeness(start=START, end=END, by="village",
                                                                 township_ids=[week.township.pk])}
    county = {r["village"]: r["diaries"] for r in completeness(start=START, end=END, by="village")}
    # then the other township's village counts only with the county, with both its diaries
    assert (township["东河村"], township["光明路村"]) == (4, 5)
    assert "西山村" not in township
    assert (county["东河村"], county["光明路村"], county["西山村"]) == (4, 5, 2)
    # and the cadres' figures are those of the report by cadre
    by_cadre = {r["cadre_id"]: r for r in completeness(start=START, end=END, by="cadre",
                                                      township_ids=[week.township.pk])}
    assert by_cadre[week.cadre1.pk]["written"] == 2


def test_restricting_to_some_cadres(week):
    rows = completeness(start=START, end=END, by="cadre", township_ids=[week.township.pk], cadre_ids=[week.cadre1.pk])
    assert [r["cadre"] for r in rows] == ["干部甲"]


def test_township_totals(week):
    totals = township_totals(start=START, end=END, township_ids=[week.township.pk])
    # 9 township-level cadres × 5 workdays, less cadre1's excused day.
    assert (totals["cadres"], totals["expected"], totals["written"], totals["on_time"]) == (9, 44, 7, 6)


def test_daily_totals_are_the_township_totals_day_by_day(week):
    days = daily_totals(start=START, end=END, township_ids=[week.township.pk])
    # Wed 4 (holiday) and Sun 8 (cadre1's diary, no duty) count nothing; Thu 5: cadre1 excused.
    assert days == {dt.date(2026, 11, 2): (9, 2), dt.date(2026, 11, 3): (9, 2), dt.date(2026, 11, 5): (8, 1),
                    dt.date(2026, 11, 6): (9, 1), dt.date(2026, 11, 7): (9, 1)}
    totals = township_totals(start=START, end=END, township_ids=[week.township.pk])
    assert (sum(e for e, _w in days.values()), sum(w for _e, w in days.values())) == (totals["expected"],
                                                                                      totals["written"])


def test_daily_totals_county_wide_count_a_diary_at_home_only(week):
    # given cadre2 has a diary filed under the other township, on a day that is a workday there
    f.DiaryFactory(author=week.outsider, village=week.v_other, date=dt.date(2026, 11, 4))
    f.DiaryFactory(author=week.cadre2, village=week.v_other, date=dt.date(2026, 11, 4), township=week.other_township)
    days = daily_totals(start=START, end=END, township_ids=None)
    totals = township_totals(start=START, end=END, township_ids=None)
    # then only the outsider's Wednesday counts, as in the township totals
    assert days[dt.date(2026, 11, 4)] == (totals["cadres"] - 9, 1)
    assert (sum(e for e, _w in days.values()), sum(w for _e, w in days.values())) == (totals["expected"],
                                                                                      totals["written"])


def test_an_empty_period_has_no_expected_days(week):
    rows = completeness(start=dt.date(2026, 11, 8), end=dt.date(2026, 11, 8), by="cadre",
                        township_ids=[week.township.pk])
    assert {(r["expected"], r["written"], r["completeness"]) for r in rows} == {(0, 0, None)}


def test_county_wide_each_township_keeps_its_own_calendar_and_a_diary_counts_at_home(week):
    # given the other township works on Wed 4 (only week.township is off), its cadre writes that day,
    # and cadre2 has a diary filed under the other township (written there before a transfer)
    f.DiaryFactory(author=week.outsider, village=week.v_other, date=dt.date(2026, 11, 4))
    f.DiaryFactory(author=week.cadre2, village=week.v_other, date=dt.date(2026, 11, 4), township=week.other_township)
    rows = {r["cadre"]: r for r in completeness(start=START, end=END, by="cadre", township_ids=None)}
    # then the outsider's Wednesday is a workday written (Mon 2 and Wed 4 of Mon–Fri)
    assert (rows["外镇干部"]["expected"], rows["外镇干部"]["written"]) == (5, 2)
    # and cadre2's figures are their own township's only, as in the township's own report
    assert figures(rows["干部乙"]) == (1, 5, 5, 5, 100.0, 100.0, 1, 0, 0.0)
    assert figures(rows["干部甲"]) == (1, 4, 2, 1, 50.0, 25.0, 1, 1, 100.0)
