"""Two submits of the same day's diary at once on real PostgreSQL: one diary, one clear refusal.

Each thread has its own connection. Nothing is locked beforehand: the one-diary-per-day
constraint makes the second insert wait for the first transaction, then refuse."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import Diary
from supervision.services.diaries import diary_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_second_of_two_simultaneous_submits_waits_then_is_refused_in_chinese(world):
    inserted = threading.Event()
    results: dict[str, object] = {}

    def write(situation: str) -> Diary:
        return diary_create(actor=actor_for(world.cadre1.user), village=world.v1, households=[world.h1],
                            situation=situation)

    def first() -> float:
        with transaction.atomic():
            write("第一次提交")
            inserted.set()
            time.sleep(1.0)  # not yet committed when the second one inserts
            # Taken before the commit: the second may wake the moment the commit lands, before this
            # thread runs again, so a time taken after the block could come later than its refusal.
            committing_at = time.monotonic()
        return committing_at

    def second() -> object:
        inserted.wait(10)
        started = time.monotonic()
        try:
            write("第二次提交")
        except ValidationError as exc:
            return started, time.monotonic(), exc
        return started, time.monotonic(), None

    def run(key: str, target) -> threading.Thread:  # type: ignore[no-untyped-def]
        def body() -> None:
            try:
                results[key] = target()
            except Exception as exc:  # reported by the asserts below
                results[key] = exc
            finally:
                connection.close()

        return threading.Thread(target=body)

    threads = [run("first", first), run("second", second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    committed_at = results["first"]
    assert isinstance(committed_at, float), committed_at
    started, finished, refusal = results["second"]  # type: ignore[misc]
    assert isinstance(refusal, ValidationError)
    assert refusal.message_dict["date"][0].endswith("的日记已经写过，请修改原日记。")
    assert finished >= committed_at > started  # it waited for the first, then was refused
    diary = Diary.objects.get(author=world.cadre1, date=timezone.localdate())
    assert diary.situation == "第一次提交"
    assert list(diary.households.all()) == [world.h1]
    assert [v.history_type for v in diary.history.all()] == ["+"]
