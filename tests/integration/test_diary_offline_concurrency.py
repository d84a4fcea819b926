"""Two copies of the same outbox upload at once on real PostgreSQL: one diary, one 201, one 200.

A phone whose first upload's answer was lost sends the diary again while the first request may
still be running. The unique (author, client_id) index makes the second insert wait for the first
transaction; the second then finds the stored diary and answers with it."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import Diary
from supervision.services.diaries import diary_submit
from tests.helpers import api_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(results: dict[str, object], key: str, target) -> threading.Thread:  # type: ignore[no-untyped-def]
    def body() -> None:
        try:
            results[key] = target()
        except Exception as exc:  # reported by the asserts
            results[key] = exc
        finally:
            connection.close()

    return threading.Thread(target=body)


def test_a_copy_arriving_while_the_first_is_uncommitted_waits_and_gets_the_stored_diary(world):
    client_id = uuid.uuid4()
    inserted = threading.Event()
    results: dict[str, object] = {}

    def submit(situation: str) -> tuple[Diary, bool]:
        return diary_submit(actor=actor_for(world.cadre1.user), client_id=client_id, village=world.v1,
                            households=[world.h1], situation=situation)

    def first() -> bool:
        with transaction.atomic():
            _diary, created = submit("第一份")
            inserted.set()
            time.sleep(1.0)  # still uncommitted when the copy inserts
        return created

    def second() -> tuple[float, bool, int]:
        inserted.wait(10)
        started = time.monotonic()
        diary, created = submit("第二份")
        return time.monotonic() - started, created, diary.pk

    threads = [_in_thread(results, "first", first), _in_thread(results, "second", second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert results["first"] is True, results["first"]
    waited, created, pk = results["second"]  # type: ignore[misc]
    assert created is False
    assert waited >= 0.5  # it waited for the first transaction instead of failing or duplicating
    diary = Diary.objects.get(author=world.cadre1)
    assert (diary.pk, diary.situation, diary.client_id) == (pk, "第一份", client_id)
    assert [v.history_type for v in diary.history.all()] == ["+"]


def test_two_simultaneous_api_posts_of_one_client_id_answer_201_and_200(world):
    client_id = str(uuid.uuid4())
    payload = {"village": world.v1.pk, "households": [world.h1.pk], "situation": "离线写的", "client_id": client_id}
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def post() -> tuple[int, dict]:
        client = api_client(world.cadre1.user)
        barrier.wait(10)
        response = client.post("/api/v1/diaries/", payload, format="json")
        return response.status_code, response.json()

    threads = [_in_thread(results, "a", post), _in_thread(results, "b", post)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    answers = [results["a"], results["b"]]
    assert all(isinstance(a, tuple) for a in answers), answers
    assert sorted(code for code, _ in answers) == [200, 201]  # type: ignore[misc]
    assert answers[0][1]["id"] == answers[1][1]["id"]  # type: ignore[index]
    assert Diary.objects.filter(author=world.cadre1, date=timezone.localdate()).count() == 1
