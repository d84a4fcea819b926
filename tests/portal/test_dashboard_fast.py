"""The dashboard's cost per role, warm (shared panels in the cache) and cold (expired), and the
shared fragments' keys: a fragment is never shown to another township, role or language.

Query counts include the session, the user, the actor (ACTOR_CACHE_SECONDS is 0 in tests) and
the unread notifications of the page chrome."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from cadres.models import Post
from cadres.roles import actor_for
from core.dashboard import shared_key
from tests import factories as f
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_on_a_workday():
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        cache.clear()
        with override_settings(DASHBOARD_FIGURES_SECONDS=300):
            yield
        cache.clear()


def _queries(client, user) -> int:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response, queries = queries_of(lambda: client.get("/"))
    assert response.status_code == 200
    return len(queries)


# (role, cold, warm): cold = the shared panels expired; warm = read from the cache in one round trip.
# Personal panels: today's diary, the households panel and my matters by light in 1 query (the
# cadre's diaries, absences, calendar days, contacts with their last visit, their post's quota and
# their open matters counted together), the agenda in 1 (its count a window over the shown rows),
# the bulletins awaiting work and the latest published one in 1. Cold, the quota panel in 1 and the
# overdue plans in 1; the last checked quarter's checks in 1 for the chart and the gaps panel together;
# the matters in 1 for the township panel and the matter charts together; the township's cadres with
# their excused days in 1, its calendar in 1 and the diaries by day in 1 for the township panel and
# the completeness chart together.
COSTS = [
    ("secretary", 18, 10),
    ("head", 18, 10),
    ("deputy", 14, 14),
    ("office", 19, 11),
    ("unit_head", 16, 16),  # its scope ids come with the cached actor (cadres.actor_cache)
    ("inspector", 11, 11),
    ("cadre1", 9, 9),
    ("village1", 9, 9),
]


@pytest.mark.parametrize(("role", "cold", "warm"), COSTS)
def test_dashboard_queries_per_role_cold_and_warm(client, world, role, cold, warm):
    user = getattr(world, role).user
    assert (_queries(client, user), _queries(client, user)) == (cold, warm)


def test_warm_leaders_read_every_shared_panel_in_one_cache_round_trip(client, world):
    client.force_login(world.secretary.user)
    client.get("/")
    calls: list[str] = []
    inside = []
    real_get, real_get_many = cache.get, cache.get_many

    def spy_get(key, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not inside:  # the local-memory backend's get_many calls get itself
            calls.append(f"get {key}")
        return real_get(key, *args, **kwargs)

    def spy_get_many(keys, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(f"get_many {len(keys)}")
        inside.append(1)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    cache.get, cache.get_many = spy_get, spy_get_many  # type: ignore[method-assign]
    try:
        html = client.get("/").content.decode()
    finally:
        cache.get, cache.get_many = real_get, real_get_many  # type: ignore[method-assign]
    assert [c for c in calls if "dashboard:" in c or c.startswith("get_many")] == ["get_many 6"]
    assert "数据更新于" in html and "全镇短板一览" in html


def test_cached_panel_keeps_its_html_not_its_figures(client, world):
    client.force_login(world.secretary.user)
    client.get("/")
    panel = cache.get(shared_key("charts", actor_for(world.secretary.user)))
    assert set(panel) == {"template", "order", "html", "computed_at"}


def test_a_fragment_never_crosses_townships_roles_or_languages(client, world):
    # given every shared fragment of 东河镇's secretary, in Chinese, is in the cache, each marked
    client.force_login(world.secretary.user)
    client.get("/")
    secretary = actor_for(world.secretary.user)
    names = ["quota", "township", "charts", "pledge-chain", "disclosure-gaps", "plan-overdue"]
    for name in names:
        key = shared_key(name, secretary)
        panel = cache.get(key)
        cache.set(key, {**panel, "html": f"<p>MARK-{name}</p>"}, 300)
    assert client.get("/").content.decode().count("MARK-") == len(names)
    # then the same secretary in English does not get them
    client.cookies["django_language"] = "en"
    assert "MARK-" not in client.get("/").content.decode()
    del client.cookies["django_language"]
    # nor the office of the same township (another role), nor a secretary of another township
    other = f.CadreFactory(township=world.other_township, name="西山书记", post=Post.PARTY_SECRETARY,
                           user__username="secretary2")
    for user in (world.office.user, other.user, world.cadre1.user):
        client.force_login(user)
        assert "MARK-" not in client.get("/").content.decode(), user.username


def test_keys_name_township_roles_day_and_language(world):
    key = shared_key("charts", actor_for(world.secretary.user))
    assert key == f"dashboard:charts:{world.township.pk}:cadre,leader:2026-11-25:zh-hans"


def test_warm_up_runs_no_query(world):
    """It runs in gunicorn's master before the fork (portal/gunicorn.py): no row is read there."""
    from portal.warmup import warm_up

    _seconds, queries = queries_of(warm_up)
    assert queries == []


def test_page_chrome_is_kept_per_language(client, world):
    """The navigation, offline strings and language menu are rendered once per language."""
    client.force_login(world.cadre1.user)
    zh = client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/").content.decode()
    assert 'href="/diaries/">民情日记</a>' in zh and 'lang="zh-hans" selected' in zh
    assert 'href="/diaries/">Diaries</a>' in en and 'lang="en" selected' in en and "民情日记</a>" not in en
