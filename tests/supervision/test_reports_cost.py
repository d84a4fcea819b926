"""What the county reports cost (issue #17: 27 months county-wide within 2 s at 1M diaries).

The figures come from one grouped pass over the period's diaries and one coverage statement
(supervision.services.completeness); the query counts below are pinned so that a per-village,
per-week or per-cadre loop cannot creep back in, and the coverage count's narrowing by diary id
is checked against the case it must not miss.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cadres.models import Cadre, ExcusedAbsence
from supervision.services.completeness import completeness, coverage
from tests import factories as f
from tests.helpers import api_client, assert_same_queries, results

PERIOD = "start=2026-11-02&end=2026-11-08"
START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 8)


@pytest.fixture
def county_user(db):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=user, township=None)
    return user


def grow_county():  # type: ignore[no-untyped-def]
    """Two more townships with cadres, villages, diaries, contacts and an absence."""
    for n in range(2):
        township = f.TownshipFactory(name=f"增镇{n}", code=f"62050{n}")
        village = f.VillageFactory(township=township)
        for m in range(3):
            cadre = f.CadreFactory(township=township, level=Cadre.Level.TOWNSHIP)
            f.AssignmentFactory(cadre=cadre, village=village)
            household = f.HouseholdFactory(village=village)
            f.ContactFactory(cadre=cadre, household=household)
            diary = f.DiaryFactory(author=cadre, village=village, date=dt.date(2026, 11, 3 + m))
            diary.households.add(household)
            ExcusedAbsence.objects.create(cadre=cadre, start=dt.date(2026, 11, 5), end=dt.date(2026, 11, 5))


# The caller's token and actor are cached (warm); then the report's own statements: cadres, absences,
# calendar, the period's pass, coverage, and the rows' names (villages: assignments, diaries by village).
# On PostgreSQL the village report counts the diaries by village in the period's pass, which runs in
# its own transaction with its work_mem: one statement fewer, three more (the savepoint the test's
# transaction makes of it, its release, the setting).
VILLAGE_QUERIES = 11 if connection.vendor == "postgresql" else 9


@pytest.mark.parametrize(("url", "expected"), [
    (f"/api/v1/reports/diary-completeness?{PERIOD}&by=township", 6),
    (f"/api/v1/reports/diary-completeness?{PERIOD}&by=village", VILLAGE_QUERIES),
    (f"/api/v1/reports/diary-completeness?{PERIOD}&by=unit", 7),
    (f"/api/v1/reports/matters?{PERIOD}", 2),
])
def test_county_report_costs_a_fixed_number_of_queries(world, county_user, url, expected):
    client = api_client(county_user)
    first, second = assert_same_queries(lambda: client.get(url), grow_county, expected=expected, warm=True)
    assert first.status_code == 200 and len(results(second)) >= len(results(first))


def test_county_dashboard_cold_costs_a_fixed_number_of_queries(world, county_user, settings):
    from django.core.cache import cache

    from tests.helpers import page_client

    client = page_client(county_user)

    def cold():  # type: ignore[no-untyped-def]
        cache.clear()
        return client.get("/")

    assert_same_queries(cold, grow_county, expected=19, warm=True)


def test_a_visit_written_in_a_township_left_still_counts(world):
    """The coverage count reads a household's links within the ids of the period's diaries; a
    cadre's diary written in another township (before a transfer) is among them, though it does
    not count as a diary written for the new township."""
    township = world.township
    cadre = f.CadreFactory(township=township, level=Cadre.Level.TOWNSHIP)
    household = f.HouseholdFactory(village=world.v1)
    f.ContactFactory(cadre=cadre, household=household)
    f.DiaryFactory(author=f.CadreFactory(township=township), village=world.v1, date=dt.date(2026, 11, 2))
    # The newest diary of the period, in the township the cadre came from.
    visit = f.DiaryFactory(author=cadre, township=world.other_township,
                           village=f.VillageFactory(township=world.other_township), date=dt.date(2026, 11, 4))
    visit.households.add(household)

    rows = {r["cadre_id"]: r for r in completeness(start=START, end=END, by="cadre", township_ids=[township.pk])}
    assert (rows[cadre.pk]["households"], rows[cadre.pk]["households_visited"]) == (1, 1)
    assert rows[cadre.pk]["written"] == 0  # written for the township left, not this one
    links = coverage(start=START, end=END, cadre_ids=[cadre.pk])
    assert [(c.total, c.visited) for c in links] == [(1, 1)]


def test_a_visit_outside_the_period_or_by_another_cadre_does_not_count(world):
    cadre = f.CadreFactory(township=world.township, level=Cadre.Level.TOWNSHIP)
    household = f.HouseholdFactory(village=world.v1)
    f.ContactFactory(cadre=cadre, household=household)
    before = f.DiaryFactory(author=cadre, village=world.v1, date=dt.date(2026, 11, 1))
    by_another = f.DiaryFactory(author=f.CadreFactory(township=world.township), village=world.v1,
                                date=dt.date(2026, 11, 3))
    after = f.DiaryFactory(author=cadre, village=world.v1, date=dt.date(2026, 11, 9))
    for diary in (before, by_another, after):
        diary.households.add(household)
    f.DiaryFactory(author=cadre, village=world.v1, date=dt.date(2026, 11, 5))  # in the period, no visit

    assert [(c.total, c.visited) for c in coverage(start=START, end=END, cadre_ids=[cadre.pk])] == [(1, 0)]
    rows = {r["cadre_id"]: r for r in completeness(start=START, end=END, by="cadre", township_ids=[world.township.pk])}
    assert (rows[cadre.pk]["written"], rows[cadre.pk]["households_visited"]) == (1, 0)
