"""The leaders' township-wide dashboard panels are shared for DASHBOARD_FIGURES_SECONDS
(core.dashboard.shared_figures): computed once, stamped with their time, and never shown to
someone of another township, another role or in another language; personal panels stay live."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from cadres.models import Post
from tests import factories as f
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_a_workday():
    """The panels count today's diary as written on a workday; on a weekend or holiday it is not
    expected, so these tests would depend on the day they run. Wednesday 2026-11-25, 10:00 in
    Beijing, is an ordinary workday."""
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture(autouse=True)
def shared_for_five_minutes(on_a_workday):
    cache.clear()
    with override_settings(DASHBOARD_FIGURES_SECONDS=300):
        yield
    cache.clear()


def month_written(html: str) -> str:
    """The "本月" cell of the township panel's completeness row: "…% <small>written/expected</small>"."""
    row = re.search(r"日记完成率</th>\s*<td>.*?</td>\s*<td>(.*?)</td>", html, re.S)
    assert row is not None, "the township panel is missing"
    return re.sub(r"<[^>]+>", "", row.group(1)).split()[-1]


def get(client, user, **headers):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get("/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_second_view_reuses_the_figures_with_fewer_queries(client, world):
    client.force_login(world.secretary.user)
    _response, first = queries_of(lambda: client.get("/"))
    response, second = queries_of(lambda: client.get("/"))
    html = response.content.decode()
    # then the township figures and charts come from the cache, the personal panels do not
    # (the shared panels' eight statements are not read again)
    assert len(second) <= len(first) - 8, (len(first), len(second))
    assert "数据更新于" in html and "全镇短板一览" in html


def test_a_new_diary_shows_after_the_figures_expire_and_the_author_sees_it_at_once(client, world):
    # given the secretary opened the dashboard (the figures are now shared)
    before = month_written(get(client, world.secretary.user))
    # when cadre1 writes today's diary
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate())
    # then cadre1's own panel says so at once
    assert "已写" in get(client, world.cadre1.user)
    # and the township panel keeps its figures until they expire, then counts the diary
    assert month_written(get(client, world.secretary.user)) == before
    cache.clear()
    after = month_written(get(client, world.secretary.user))
    written_before, written_after = int(before.split("/")[0]), int(after.split("/")[0])
    assert written_after == written_before + 1


def test_another_townships_leader_never_gets_these_figures(client, world):
    # given the figures of 东河镇 are shared, with a diary of 东河镇 in them
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate())
    ours = month_written(get(client, world.secretary.user))
    # when the secretary of 西山镇 opens the dashboard
    other = f.CadreFactory(township=world.other_township, name="西山书记", post=Post.PARTY_SECRETARY,
                           user__username="secretary2")
    theirs = month_written(get(client, other.user))
    # then they see their own township's (empty) figures
    assert theirs.split("/")[0] == "0" and ours.split("/")[0] != "0"


def test_each_language_has_its_own_figures(client, world):
    chinese = get(client, world.secretary.user)
    client.cookies["django_language"] = "en"
    english = get(client, world.secretary.user)
    assert "全镇短板一览" in chinese and "数据更新于" in chinese
    assert "全镇短板一览" not in english and "数据更新于" not in english


def test_without_sharing_every_view_counts_afresh(client, world):
    with override_settings(DASHBOARD_FIGURES_SECONDS=0):
        before = month_written(get(client, world.secretary.user))
        f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate())
        after = month_written(get(client, world.secretary.user))
    assert int(after.split("/")[0]) == int(before.split("/")[0]) + 1
