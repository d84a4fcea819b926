"""Uploads from a phone's outbox (`client_id`): retries are safe, a day already written is a
conflict with the stored diary, the window counts from the day the phone saved the diary."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from supervision.models import Diary
from tests.helpers import api_client, assert_num_queries

WED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Wednesday


@pytest.fixture
def on_wednesday():  # type: ignore[no-untyped-def]
    with time_machine.travel(WED, tick=False):
        yield WED.date()


def body(world, client_id, **extra):  # type: ignore[no-untyped-def]
    return {"village": world.v1.pk, "households": [world.h1.pk], "category": "livelihood",
            "situation": "离线走访：取暖煤不足", "client_id": str(client_id), **extra}


def test_a_second_post_of_the_same_client_id_answers_200_with_the_stored_diary(world, on_wednesday):
    client_id = uuid.uuid4()
    client = api_client(world.cadre1.user)
    first = client.post("/api/v1/diaries/", body(world, client_id), format="json")
    assert first.status_code == 201, first.json()
    # the answer was lost: the phone sends the same diary again, even with a changed text
    with assert_num_queries(5):
        again = client.post("/api/v1/diaries/", body(world, client_id, situation="改过的文字"), format="json")
    assert again.status_code == 200, again.json()
    assert again.json() == first.json()
    diary = Diary.objects.get(author=world.cadre1)
    assert (diary.client_id, diary.situation, diary.date, diary.on_time) == (
        client_id, "离线走访：取暖煤不足", on_wednesday, True)
    assert diary.history.count() == 1


def test_a_retry_of_a_diary_withdrawn_meanwhile_answers_200_and_writes_nothing(world, on_wednesday):
    client_id = uuid.uuid4()
    client = api_client(world.cadre1.user)
    first = client.post("/api/v1/diaries/", body(world, client_id), format="json").json()
    Diary.objects.filter(pk=first["id"]).update(deleted_at=timezone.now())
    again = client.post("/api/v1/diaries/", body(world, client_id), format="json")
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == first["id"]
    assert Diary.objects.count() == 1


def test_the_same_client_id_of_another_author_is_not_theirs(world, on_wednesday):
    client_id = uuid.uuid4()
    assert api_client(world.cadre1.user).post("/api/v1/diaries/", body(world, client_id), format="json").status_code == 201
    other = api_client(world.cadre2.user).post("/api/v1/diaries/", {
        **body(world, client_id), "village": world.v2.pk, "households": []}, format="json")
    assert other.status_code == 201, other.json()
    assert other.json()["author"] == world.cadre2.pk
    assert Diary.objects.filter(client_id=client_id).count() == 2


def test_a_day_written_online_comes_back_as_a_conflict_with_the_stored_text(world, on_wednesday):
    client = api_client(world.cadre1.user)
    online = client.post("/api/v1/diaries/", {"village": world.v1.pk, "situation": "在线写的"}, format="json")
    assert online.status_code == 201
    response = client.post("/api/v1/diaries/", body(world, uuid.uuid4()), format="json")
    assert response.status_code == 409, response.json()
    answer = response.json()
    assert answer["code"] == "conflict"
    assert answer["detail"] == "2026年11月25日 的日记已经写过：请把两份内容合并到原日记，或放弃手机上的这份。"
    assert answer["diary"] == online.json() | {"updated_at": answer["diary"]["updated_at"]}
    assert Diary.objects.filter(author=world.cadre1).count() == 1
    # the page merges through the ordinary update: one diary holds both texts
    merged = client.patch(f"/api/v1/diaries/{online.json()['id']}/",
                          {"situation": "在线写的\n\n离线走访：取暖煤不足"}, format="json")
    assert merged.status_code == 200, merged.json()
    assert Diary.objects.get(author=world.cadre1).situation == "在线写的\n\n离线走访：取暖煤不足"


def test_the_window_counts_from_the_day_the_phone_saved_the_diary(world, on_wednesday):
    # saved on Monday 23 for that day, uploaded on Wednesday: still Monday's diary, on time
    client = api_client(world.cadre1.user)
    response = client.post("/api/v1/diaries/", body(world, uuid.uuid4(), date="2026-11-23",
                                                    written_on="2026-11-23"), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["date"], response.json()["on_time"]) == ("2026-11-23", True)
    # saved on Monday 23 as a back-fill of Friday 20 (in the window on Monday, not on Wednesday)
    late = client.post("/api/v1/diaries/", body(world, uuid.uuid4(), date="2026-11-20",
                                                written_on="2026-11-23"), format="json")
    assert late.status_code == 201, late.json()
    assert (late.json()["date"], late.json()["on_time"]) == ("2026-11-20", False)


@pytest.mark.parametrize(("date", "written_on", "message"), [
    ("2026-11-26", "2026-11-26", "written_on: 手机上的日期晚于今天，请检查手机的日期设置。"),
    ("2026-11-16", "2026-11-17", "written_on: 这篇日记在手机上保存已超过 7 天，不能再上传；请把内容交党政办补录。"),
    ("2026-11-13", "2026-11-18", "date: 只能补写最近 3 天内漏写的日记。"),
    ("2026-11-24", "2026-11-23", "date: 不能为未来的日期写日记。"),
])
def test_outbox_uploads_outside_the_limits_are_refused_and_nothing_stored(world, on_wednesday, date, written_on, message):
    response = api_client(world.cadre1.user).post(
        "/api/v1/diaries/", body(world, uuid.uuid4(), date=date, written_on=written_on), format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert not Diary.objects.exists()


def test_the_offline_limit_follows_the_setting(world, on_wednesday, settings):
    settings.PORTAL = {**settings.PORTAL, "DIARY_OFFLINE_DAYS": 1}
    response = api_client(world.cadre1.user).post(
        "/api/v1/diaries/", body(world, uuid.uuid4(), date="2026-11-23", written_on="2026-11-23"), format="json")
    assert response.status_code == 400
    assert "超过 1 天" in response.json()["detail"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"client_id": "not-a-uuid"}, "client_id: 必须是有效的 UUID。"),
])
def test_a_malformed_client_id_is_a_clear_error(world, on_wednesday, extra, message):
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", {**body(world, uuid.uuid4()), **extra},
                                                  format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_written_on_needs_a_client_id(world, on_wednesday):
    payload = body(world, uuid.uuid4(), written_on="2026-11-24")
    del payload["client_id"]
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "written_on: 只有离线上传（带 client_id）才能指定保存日期。"


def test_a_non_cadre_cannot_upload_and_the_client_id_cannot_be_changed_by_update(world, on_wednesday):
    refused = api_client(world.reporter_user).post("/api/v1/diaries/", body(world, uuid.uuid4()), format="json")
    assert refused.status_code == 403
    client_id = uuid.uuid4()
    client = api_client(world.cadre1.user)
    created = client.post("/api/v1/diaries/", body(world, client_id), format="json").json()
    client.patch(f"/api/v1/diaries/{created['id']}/", {"client_id": str(uuid.uuid4()), "situation": "改"},
                 format="json")
    assert Diary.objects.get(pk=created["id"]).client_id == client_id
    assert not Diary.objects.exclude(pk=created["id"]).exists()
    assert timezone.localdate() == on_wednesday
