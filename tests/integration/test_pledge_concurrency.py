"""Two countersignatures at once on real PostgreSQL: one signature, one clear refusal.

Each thread has its own database connection; the service's row lock (SELECT … FOR UPDATE)
makes the second wait for the first to commit and then refuse with who signed and when.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from cadres.roles import actor_for
from core.errors import StateError
from supervision.models import Pledge
from supervision.services import pledges as svc
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_pledge(world):
    template = f.pledge_template(world.township, "village")
    [pledge] = svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(world.office.user))
    return svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))


def _in_thread(target, results, key):  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            results[key] = target()
        except Exception as exc:
            results[key] = exc
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_the_second_of_two_simultaneous_countersignatures_waits_then_is_refused(signed_pledge):
    locked = threading.Event()
    results: dict[str, object] = {}

    def first() -> float:
        with transaction.atomic():
            svc.pledge_countersign(pledge=signed_pledge, actor=actor_for(User.objects.get(username="head")))
            locked.set()
            time.sleep(1.0)  # still holding the row lock when the second one arrives
        return time.monotonic()

    def second() -> tuple[float, float]:
        locked.wait(10)
        started = time.monotonic()
        try:
            svc.pledge_countersign(pledge=signed_pledge, actor=actor_for(User.objects.get(username="head")))
        except StateError as exc:
            return started, time.monotonic(), exc  # type: ignore[return-value]
        return started, time.monotonic()

    threads = [_in_thread(first, results, "first"), _in_thread(second, results, "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    committed_at = results["first"]
    assert isinstance(committed_at, float)
    started, finished, refusal = results["second"]  # type: ignore[misc]
    assert isinstance(refusal, StateError)
    assert "已由 镇长 于" in refusal.message and "不能重复会签" in refusal.message
    assert finished >= committed_at > started  # it waited on the lock, then saw the signature
    pledge = Pledge.objects.get(pk=signed_pledge.pk)
    assert pledge.status == Pledge.Status.COUNTERSIGNED
    assert list(pledge.history.filter(status="countersigned").values_list("history_type", flat=True)) == ["~"]


def test_two_threads_racing_give_exactly_one_signature(signed_pledge):
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt() -> str:
        user = User.objects.get(username="head")
        barrier.wait(10)
        svc.pledge_countersign(pledge=signed_pledge, actor=actor_for(user))
        return "signed"

    threads = [_in_thread(attempt, results, name) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    outcomes = sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results.values())
    assert outcomes == ["StateError", "signed"]
    pledge = Pledge.objects.get(pk=signed_pledge.pk)
    assert pledge.status == Pledge.Status.COUNTERSIGNED
    assert pledge.history.filter(status="countersigned").count() == 1
