"""core.query_memo: a queryset built once, handed out as clones that never share rows."""

from __future__ import annotations

import pytest

from core import query_memo
from core.query_memo import kept_queryset
from supervision.models import Matter
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_memo():  # type: ignore[no-untyped-def]
    query_memo.forget_kept()
    yield
    query_memo.forget_kept()


def test_build_runs_once_per_key_and_each_caller_gets_a_fresh_clone():
    built = []

    def build():  # type: ignore[no-untyped-def]
        built.append(1)
        return Matter.objects.order_by("id")

    first, second = kept_queryset("k", build), kept_queryset("k", build)
    assert len(built) == 1
    assert first is not second and first.query is not second.query
    # a clone that is evaluated fills its own result cache, never the kept one's
    f.MatterFactory()
    assert len(first) == 1
    assert query_memo._KEPT["k"]._result_cache is None
    # and a row written afterwards is in the next clone's answer
    f.MatterFactory()
    assert len(kept_queryset("k", build)) == 2


def test_the_least_recently_used_key_goes_first(monkeypatch):
    monkeypatch.setattr(query_memo, "LIMIT", 2)
    for key in ("a", "b"):
        kept_queryset(key, Matter.objects.all)
    kept_queryset("a", Matter.objects.all)  # "a" used again: "b" is now the oldest
    kept_queryset("c", Matter.objects.all)
    assert list(query_memo._KEPT) == ["a", "c"]
