"""core.history.create_with_links: a new row, its links and one "+" version that lists them.

On PostgreSQL the four inserts are one statement; these tests hold that statement to what the
ORM's way writes (simple-history's own record of the same row), on every database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from core.history import create_with_links, set_history_user
from supervision.models import Diary
from tests import factories as f
from tests.helpers import assert_num_queries


def _new_diary(world: Any, **fields: Any) -> Diary:
    values = {"township_id": world.cadre1.township_id, "author": world.cadre1, "date": timezone.localdate(),
              "village": world.v1, "category": "policy", "place": "村委会", "people_met": "村民代表",
              "situation": "走访农户，宣传惠农补贴政策", "problems": "灌溉渠道淤堵", **fields}
    return Diary(**values)


def _links(version: Any) -> list[tuple[int, int, int]]:
    return [(link.id, link.diary_id, link.household_id) for link in version.households.order_by("household_id")]


def test_the_version_written_is_the_one_simple_history_records(world):
    # given a new diary with two households, its author as the version's user and a reason
    households = [world.h1, f.HouseholdFactory(village=world.v1)]
    diary = _new_diary(world)
    set_history_user(diary, world.cadre1.user_id)
    diary._change_reason = "手机补写"  # type: ignore[attr-defined]
    # when it is created with its links: on PostgreSQL in one statement
    with assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        create_with_links(diary, {"households": households})
    # then the row and its links are stored
    stored = Diary.objects.get(pk=diary.pk)
    assert not diary._state.adding
    assert sorted(stored.households.values_list("pk", flat=True)) == sorted(h.pk for h in households)
    # and one "+" version holds what simple-history's own method records of the same row, links included
    (ours,) = diary.history.all()
    set_history_user(stored, world.cadre1.user_id)
    stored._change_reason = "手机补写"  # type: ignore[attr-defined]
    HistoricalRecords.create_historical_record(Diary._historical_records, stored, "+")  # type: ignore[attr-defined]
    theirs = diary.history.exclude(history_id=ours.history_id).get()
    names = [f.attname for f in type(ours)._meta.concrete_fields if f.attname not in {"history_id", "history_date"}]
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
    assert (ours.history_type, ours.history_user_id, ours.history_change_reason) == (
        "+", world.cadre1.user_id, "手机补写")
    assert _links(ours) == [(link.id, diary.pk, link.household_id)
                            for link in Diary.households.through.objects.filter(diary=diary).order_by("household_id")]
    assert [h for _, _, h in _links(ours)] == [h for _, _, h in _links(theirs)]


def test_the_version_keeps_a_given_history_date(world):
    diary = _new_diary(world)
    when = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    diary._history_date = when  # type: ignore[attr-defined]
    create_with_links(diary, {"households": []})
    assert [(v.history_date, v.households.count()) for v in diary.history.all()] == [(when, 0)]


def test_saving_signals_are_sent_once_and_no_second_version_is_recorded(world):
    # given receivers of Django's saving signals for diaries
    seen: list[tuple[str, bool | None, bool]] = []

    def before(sender: Any, instance: Diary, **kwargs: Any) -> None:
        seen.append(("pre", None, instance.pk is None))

    def after(sender: Any, instance: Diary, created: bool, **kwargs: Any) -> None:
        seen.append(("post", created, instance.pk is None))

    pre_save.connect(before, sender=Diary, dispatch_uid="test-history-pre")
    post_save.connect(after, sender=Diary, dispatch_uid="test-history-post")
    try:
        diary = create_with_links(_new_diary(world), {"households": [world.h1]})
    finally:
        pre_save.disconnect(dispatch_uid="test-history-pre", sender=Diary)
        post_save.disconnect(dispatch_uid="test-history-post", sender=Diary)
    # then each was sent once, as save() sends them (the key is known after the insert)
    assert seen == [("pre", None, True), ("post", True, False)]
    # and simple-history's own post_save receiver recorded nothing more
    assert diary.history.count() == 1


def test_a_receiver_of_simple_historys_signals_still_gets_them(world):
    # given a receiver of simple-history's pre-create signal for diaries' versions
    got: list[Any] = []

    def receiver(sender: Any, history_instance: Any, **kwargs: Any) -> None:
        got.append(history_instance)

    history_model = Diary.history.model  # type: ignore[attr-defined]
    pre_create_historical_record.connect(receiver, sender=history_model, dispatch_uid="test-history-signal")
    try:
        # when a diary is created with its links
        diary = create_with_links(_new_diary(world), {"households": [world.h1]})
    finally:
        pre_create_historical_record.disconnect(dispatch_uid="test-history-signal", sender=history_model)
    # then the receiver was given the version (written the ORM's way), which lists the household
    (version,) = diary.history.all()
    assert [v.history_id for v in got] == [version.history_id]
    assert [h for _, _, h in _links(version)] == [world.h1.pk]


def test_a_refused_row_writes_nothing(world):
    # given cadre1's diary of today
    create_with_links(_new_diary(world), {"households": [world.h1]})
    counts = (Diary.objects.count(), Diary.history.count(),  # type: ignore[attr-defined]
              Diary.households.through.objects.count())
    # when a second one of the same day is created
    with pytest.raises(IntegrityError), transaction.atomic():
        create_with_links(_new_diary(world, situation="第二篇"), {"households": [world.h1]})
    # then neither a row, nor a version, nor a link was written
    assert (Diary.objects.count(), Diary.history.count(),  # type: ignore[attr-defined]
            Diary.households.through.objects.count()) == counts
