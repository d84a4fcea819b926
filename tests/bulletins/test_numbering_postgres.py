"""Two publications at the same moment on real PostgreSQL: each gets its own number, never the same."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from bulletins.models import Bulletin
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish
from cadres.roles import SYSTEM, actor_for
from core.errors import StateError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _approved(w, month: int) -> Bulletin:  # type: ignore[no-untyped-def]
    start = dt.date(2026, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    bulletin = bulletin_compile(township=w.township, start=start, end=end, actor=SYSTEM)
    return bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))


def _race(calls) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_bulletins_published_at_once_get_one_number_each(world):
    w = world
    a, b = _approved(w, 9), _approved(w, 10)

    results = _race([lambda: bulletin_publish(bulletin=a, actor=actor_for(w.office.user)),
                     lambda: bulletin_publish(bulletin=b, actor=actor_for(w.secretary.user))])

    assert all(isinstance(r, Bulletin) for r in results), results
    numbers = sorted(Bulletin.objects.values_list("number", "cumulative_number"))
    assert numbers == [(1, 1), (2, 2)]


def test_the_same_bulletin_published_twice_at_once_gets_one_number(world):
    w = world
    a = _approved(w, 10)

    results = _race([lambda: bulletin_publish(bulletin=a, actor=actor_for(w.office.user)),
                     lambda: bulletin_publish(bulletin=a, actor=actor_for(w.secretary.user))])

    assert sorted(type(r).__name__ for r in results) == ["Bulletin", "StateError"]
    assert any(isinstance(r, StateError) and "已经发布" in r.message for r in results)
    a.refresh_from_db()
    assert (a.status, a.number, a.cumulative_number) == ("published", 1, 1)
    assert Bulletin.objects.filter(number__isnull=False).count() == 1
