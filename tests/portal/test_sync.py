"""Incremental sync: `updated_since=` on every list, and tombstones for what was deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from cadres.models import Village
from cadres.roles import Actor, Role
from portal.apikeys import api_key_create
from portal.sync import parse_since, tombstones, township_path
from tests import factories as f

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    cache.clear()


def key_client(township) -> APIClient:  # type: ignore[no-untyped-def]
    _key, raw = api_key_create(name="县数据平台", township=township, created_by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return api


def age_history(*objs, when: datetime = LONG_AGO) -> None:  # type: ignore[no-untyped-def]
    """Pretend these objects were last written long ago."""
    for obj in objs:
        obj.history.all().update(history_date=when)
        type(obj)._base_manager.filter(pk=obj.pk).update(updated_at=when)


# --- parsing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-01T08:00:00+08:00", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),
        ("2026-11-01T00:00:00Z", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),
        ("2026-11-01T08:00:00", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),  # Beijing time
        ("2026-11-01", datetime(2026, 10, 31, 16, 0, tzinfo=UTC)),  # Beijing midnight
        ("2026-11-01T08:00:00 08:00", datetime(2026, 11, 1, 0, 0, tzinfo=UTC)),  # "+" sent unencoded
        ("2026-11-01T08:00:00.250+08:00", datetime(2026, 11, 1, 0, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_updated_since_reads_iso_8601(raw, expected):
    assert parse_since(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-01", "2026-11-01T25:00:00", "1700000000", "2026/11/01"])
def test_malformed_updated_since_is_refused(raw):
    with pytest.raises(ValidationError):
        parse_since(raw)


def test_malformed_updated_since_is_a_chinese_400_on_a_list(world):
    response = key_client(world.township).get("/api/v1/villages/?updated_since=yesterday")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "ISO 8601" in body["detail"] and "日期时间" in body["detail"]
    assert set(body["errors"]) == {"updated_since"}


# --- updated_since --------------------------------------------------------------------------------------


def test_updated_since_lists_only_what_changed(world):
    age_history(world.v1, world.v2, world.v3)
    since = timezone.now() - timedelta(minutes=5)
    world.v2.name = "光明村"
    world.v2.save()
    new = f.VillageFactory(township=world.township, name="新建村")
    api = key_client(world.township)

    changed = api.get("/api/v1/villages/", {"updated_since": since.isoformat()}).json()
    everything = api.get("/api/v1/villages/").json()

    assert {v["id"] for v in changed["results"]} == {world.v2.pk, new.pk}
    assert changed["count"] == 2
    assert everything["count"] == 4


def test_updated_since_keeps_the_callers_scope(world):
    since = timezone.now() - timedelta(minutes=5)
    world.v_other.name = "西山新村"
    world.v_other.save()

    changed = key_client(world.township).get("/api/v1/villages/", {"updated_since": since.isoformat()}).json()

    assert world.v_other.pk not in {v["id"] for v in changed["results"]}


def test_a_many_to_many_change_counts_as_a_change(world):
    from cadres.models import HouseholdTag

    age_history(world.h1, world.h2, world.h3)
    since = timezone.now() - timedelta(minutes=5)
    tag = HouseholdTag.objects.create(name="党员户测试")
    world.h1.tags.add(tag)

    changed = key_client(world.township).get("/api/v1/households/", {"updated_since": since.isoformat()}).json()

    assert [h["id"] for h in changed["results"]] == [world.h1.pk]


def test_updated_since_is_ignored_on_a_detail(world):
    age_history(world.v1)

    response = key_client(world.township).get(f"/api/v1/villages/{world.v1.pk}/?updated_since=2026-11-01")

    assert response.status_code == 200


def test_updated_since_list_costs_the_same_at_one_and_at_many_changes(world, django_assert_num_queries):
    api = key_client(world.other_township)
    api.get("/api/v1/me/")
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/villages/", {"updated_since": since}).json()["count"] == 1
    f.VillageFactory.create_batch(20, township=world.other_township)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/villages/", {"updated_since": since}).json()["count"] == 21
    assert len(many) == len(one)


# --- tombstones -------------------------------------------------------------------------------------------


def test_deleted_objects_are_listed_as_tombstones_in_the_callers_township(world):
    gone = f.VillageFactory(township=world.township)
    gone_elsewhere = f.VillageFactory(township=world.other_township)
    gone_id, elsewhere_id = gone.pk, gone_elsewhere.pk
    gone.delete()
    gone_elsewhere.delete()

    township = key_client(world.township).get("/api/v1/tombstones/", {"resource": "villages"}).json()
    county = key_client(None).get("/api/v1/tombstones/", {"resource": "villages"}).json()

    assert [t["id"] for t in township["results"]] == [gone_id]
    assert [t["id"] for t in county["results"]] == sorted([gone_id, elsewhere_id])
    assert set(township) == {"next", "previous", "results"}
    deleted_at = datetime.fromisoformat(township["results"][0]["deleted_at"])
    assert timezone.now() - deleted_at < timedelta(seconds=30)


def test_tombstones_since_a_moment_leave_out_older_deletions(world):
    old = f.VillageFactory(township=world.township)
    old_id = old.pk
    old.delete()
    Village.history.filter(id=old_id).update(history_date=LONG_AGO)
    recent = f.VillageFactory(township=world.township)
    recent_id = recent.pk
    recent.delete()

    body = key_client(world.township).get(
        "/api/v1/tombstones/", {"resource": "villages", "updated_since": "2026-01-01T00:00:00+08:00"}
    ).json()

    assert [t["id"] for t in body["results"]] == [recent_id]


def test_tombstones_are_cursor_paginated(world):
    ids = []
    for _ in range(5):
        village = f.VillageFactory(township=world.township)
        ids.append(village.pk)
        village.delete()
    api = key_client(world.township)

    seen, url, pages = [], "/api/v1/tombstones/", 0
    params: dict[str, str] = {"resource": "villages", "page_size": "2"}
    while url:
        body = api.get(url, params).json()
        seen += [t["id"] for t in body["results"]]
        pages += 1
        url = body["next"] or ""
        params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()} if url else {}
        url = urlparse(url).path if url else ""

    assert seen == sorted(ids)
    assert pages == 3


def test_a_soft_deleted_object_is_a_tombstone_until_it_comes_back(world):
    from supervision.models import Diary

    diary = Diary.objects.create(township=world.township, author=world.cadre1, date=datetime(2026, 11, 2).date(),
                                 village=world.v1, situation="走访")
    reporter = Actor(user_id=None, cadre=None, roles=frozenset({Role.REPORTER}),
                     township_ids=frozenset({world.township.pk}))
    outsider = Actor(user_id=None, cadre=None, roles=frozenset({Role.REPORTER}),
                     township_ids=frozenset({world.other_township.pk}))
    diary.deleted_at = timezone.now()
    diary.save()

    deleted = list(tombstones(Diary, reporter, timezone.now() - timedelta(minutes=1)))
    hidden_from_outsider = list(tombstones(Diary, outsider, None))
    diary.deleted_at = None
    diary.save()
    restored = list(tombstones(Diary, reporter, None))

    assert [row["id"] for row in deleted] == [diary.pk]
    assert hidden_from_outsider == []
    assert restored == []


def test_tombstones_need_a_known_resource(world):
    api = key_client(world.township)

    missing = api.get("/api/v1/tombstones/")
    unknown = api.get("/api/v1/tombstones/", {"resource": "spaceships"})
    bad_since = api.get("/api/v1/tombstones/", {"resource": "villages", "updated_since": "soon"})

    assert (missing.status_code, unknown.status_code, bad_since.status_code) == (400, 400, 400)
    assert "resource" in missing.json()["errors"]
    assert "spaceships" in unknown.json()["detail"] and "villages" in unknown.json()["detail"]
    assert "updated_since" in bad_since.json()["errors"]


def test_tombstones_refuse_anonymous_callers(world):
    assert APIClient().get("/api/v1/tombstones/", {"resource": "villages"}).status_code == 401


def test_tombstones_cost_the_same_at_one_and_at_many(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = key_client(world.township)
    api.get("/api/v1/me/")
    f.VillageFactory(township=world.township).delete()
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/tombstones/", {"resource": "villages"}).json()["results"]) == 1
    for village in f.VillageFactory.create_batch(20, township=world.township):
        village.delete()
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/tombstones/", {"resource": "villages"}).json()["results"]) == 21
    assert len(many) == len(one)


@pytest.mark.parametrize(
    ("model_path", "expected"),
    [("cadres.Township", "id"), ("cadres.Village", "township"), ("cadres.Household", "village__township"),
     ("supervision.Diary", "township"), ("cadres.HouseholdContact", "cadre__township")],
)
def test_township_path_finds_the_nearest_township(model_path, expected):
    from django.apps import apps

    assert township_path(apps.get_model(model_path)) == expected
