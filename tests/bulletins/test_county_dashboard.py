"""The county dashboard (issue #21): townships side by side at `/`, a read-only drill-down."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bulletins.county_dashboard import county_rows
from cadres.models import Cadre
from tests import factories as f
from tests.helpers import assert_same_queries, page_client

TODAY = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def county_user(db):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=user, township=None)
    return user


@pytest.fixture(autouse=True)
def _november():  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False):
        yield


def test_county_sees_every_township_with_its_figures(world, county_user):
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    f.MatterFactory(village=world.v1, status="closed", closed_at=timezone.now(), deadline=dt.date(2026, 11, 30))
    f.MatterFactory(village=world.v1, status="in_progress", deadline=dt.date(2026, 11, 1))
    response = page_client(county_user).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "各乡镇作风建设情况" in page and "东河镇" in page and "西山镇" in page
    assert f'href="/county/townships/{world.township.pk}/"' in page
    rows = {r["township"]: r for r in response.context["panels"][0]["rows"]}
    assert rows["东河镇"]["written"] == 1 and rows["东河镇"]["expected"] > 0
    assert (rows["东河镇"]["closed"], rows["东河镇"]["closed_on_time"], rows["东河镇"]["overdue"]) == (1, 1, 1)
    assert (rows["西山镇"]["written"], rows["西山镇"]["closed"], rows["西山镇"]["overdue"]) == (0, 0, 0)
    assert "干部甲" not in page  # townships, never cadres


def test_figures_cost_the_same_for_more_townships(world):
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 20)

    def grow() -> None:
        for n in range(4):
            township = f.TownshipFactory(name=f"新镇{n}", code=f"62030{n}")
            cadre = f.CadreFactory(township=township, level=Cadre.Level.TOWNSHIP)
            f.DiaryFactory(author=cadre, date=dt.date(2026, 11, 3))
            f.MatterFactory(village=f.VillageFactory(township=township), status="in_progress",
                            deadline=dt.date(2026, 11, 1))

    first, second = assert_same_queries(lambda: county_rows(start, end), grow)
    assert len(second) == len(first) + 4
    assert all(row["overdue"] == 1 for row in second if row["township"].startswith("新镇"))


def test_drill_down_shows_one_township_read_only(world, county_user):
    response = page_client(county_user).get(f"/county/townships/{world.other_township.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "西山镇" in page and "县级查看：只读" in page
    actor = response.context["actor"]
    assert actor.township_ids == frozenset({world.other_township.pk})
    assert actor.roles == frozenset({"reporter"}) and not actor.is_superuser
    assert page_client(county_user).get("/county/townships/999999/").status_code == 404


def test_drill_down_is_for_the_county_only(world):
    for user in (world.secretary.user, world.reporter_user, world.office.user):
        assert page_client(user).get(f"/county/townships/{world.township.pk}/").status_code == 404
    response = page_client(world.secretary.user).get("/")
    assert "各乡镇作风建设情况" not in response.content.decode()


def test_county_inspector_drills_down_as_an_inspector(world):
    user = f.UserFactory(groups=["county", "inspector"])
    f.MembershipFactory(user=user, township=None)
    response = page_client(user).get(f"/county/townships/{world.township.pk}/")
    assert response.context["actor"].roles == frozenset({"reporter", "inspector"})


def test_the_county_page_costs_the_same_for_more_townships(world, county_user):
    client = page_client(county_user)

    def grow() -> None:
        for n in range(3):
            township = f.TownshipFactory(name=f"扩镇{n}", code=f"62040{n}")
            f.DiaryFactory(author=f.CadreFactory(township=township), date=dt.date(2026, 11, 3))

    first, second = assert_same_queries(lambda: client.get("/"), grow, warm=True)
    assert second.content.decode().count("/county/townships/") == first.content.decode().count("/county/townships/") + 3
