"""The unit head's dashboard panel: who in my unit is behind this week, my unit's matters by light."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from cadres.models import ExcusedAbsence
from cadres.roles import actor_for
from supervision.dashboard.units import panels
from tests import factories as f
from tests.helpers import assert_same_queries, queries_of

THURSDAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _panel(user):  # type: ignore[no-untyped-def]
    found = panels(actor_for(user), user)
    return found[0] if found else None


def test_unit_head_sees_who_is_behind_this_week_and_unit_matters_by_light(world):
    with time_machine.travel(THURSDAY, tick=False):
        for day in (23, 24, 25):
            f.DiaryFactory(author=world.unit_head, village=world.v1, date=dt.date(2026, 11, day))
            f.DiaryFactory(author=world.cadre3, village=world.v1, date=dt.date(2026, 11, day))
        f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 23))
        ExcusedAbsence.objects.create(cadre=world.cadre2, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 24))
        f.MatterFactory(village=world.v1, unit=world.unit, status="in_progress", deadline=dt.date(2026, 11, 20))
        f.MatterFactory(village=world.v1, unit=world.unit2, assignee=world.cadre1, status="in_progress",
                        deadline=dt.date(2026, 12, 30))
        f.MatterFactory(village=world.v1, unit=world.unit2, status="in_progress", deadline=dt.date(2026, 11, 1))
        panel = _panel(world.unit_head.user)
        html = Client()
        html.force_login(world.unit_head.user)
        page = html.get("/").content.decode()

    assert [(line.cadre, line.missing_days) for line in panel["behind"]] == [
        ("干部乙", [dt.date(2026, 11, 25)]),
        ("干部甲", [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]),
    ]
    assert (panel["red"], panel["yellow"], panel["green"]) == (1, 0, 1)
    assert 'aria-labelledby="panel-unit-title"' in page and "干部甲" in page
    assert "干部丙" not in page.split('id="panel-unit-title"')[1].split("</section>")[0]


def test_no_unit_panel_for_a_plain_cadre_or_the_office(world):
    assert _panel(world.cadre1.user) is None
    assert _panel(world.office.user) is None


def test_leader_in_charge_gets_the_panel_for_their_units_without_their_own_line(world):
    with time_machine.travel(THURSDAY, tick=False):
        panel = _panel(world.deputy.user)
    assert [line.cadre for line in panel["behind"]] == ["干部乙", "干部甲", "站长"]  # nothing written this week


def test_panel_costs_the_same_with_more_cadres_and_matters(world):
    with time_machine.travel(THURSDAY, tick=False):
        def grow() -> None:
            for n in range(4):
                cadre = f.CadreFactory(township=world.township, name=f"新干部{n}", unit=world.unit)
                f.DiaryFactory(author=cadre, village=world.v1, date=dt.date(2026, 11, 24))
                f.MatterFactory(village=world.v1, unit=world.unit, assignee=cadre, status="in_progress",
                                deadline=dt.date(2026, 11, 20))

        _panel(world.unit_head.user)  # the actor cache warms
        assert_same_queries(lambda: _panel(world.unit_head.user), grow)
        _result, queries = queries_of(lambda: _panel(world.unit_head.user))
    # the unit's cadres, their leave, their diaries, the calendar; the lights
    assert len(queries) == 5
