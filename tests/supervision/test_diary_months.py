"""The diaries by month (supervision.models.DiaryMonth): kept by PostgreSQL's triggers whatever
writes a diary, and the completeness report over whole months counted from it says exactly what
the same report counted from the diaries says."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.db import connection, models
from django.utils import timezone

from cadres.models import CalendarDay, ExcusedAbsence
from supervision.models import Diary, DiaryMonth, DiaryVillageMonth
from supervision.services import completeness as completeness_module
from supervision.services.completeness import completeness
from supervision.services.diary_months import TABLES, differences, month_rows_sql, rebuild
from tests import factories as f

pytestmark = pytest.mark.postgres

FIRST, LAST = dt.date(2026, 9, 24), dt.date(2026, 12, 6)
ABROAD = dt.date(2026, 11, 14)  # cadre2's diary filed under the other township


Key = tuple[dt.date, int, int] | tuple[dt.date, int, int, int]


def counted_from_diaries(model: type[models.Model] = DiaryMonth) -> dict[Key, tuple[int, ...]]:
    keys = len(TABLES[model][0])
    with connection.cursor() as cursor:
        cursor.execute(month_rows_sql(model))
        return {tuple(row[:keys]): tuple(row[keys:]) for row in cursor.fetchall()}  # type: ignore[misc]


def kept(model: type[models.Model] = DiaryMonth) -> dict[Key, tuple[int, ...]]:
    keys, figures = TABLES[model]
    rows = model.objects.exclude(written=0).values_list(*keys, *figures)  # type: ignore[attr-defined]
    return {tuple(row[:len(keys)]): tuple(row[len(keys):]) for row in rows}  # type: ignore[misc]


def assert_kept_as_counted() -> None:
    """Each live diary's day bit (and on-time bit) where the diaries put it and nowhere else, in
    both tables; each cadre's row's id bound covers its diaries (a withdrawal does not narrow it)."""
    ours, theirs = kept(), counted_from_diaries()
    assert set(ours) == set(theirs)
    for key, (written, on_time, first, last) in theirs.items():
        kept_written, kept_on_time, kept_first, kept_last = ours[key]
        assert (kept_written, kept_on_time) == (written, on_time), key
        assert kept_first <= first and kept_last >= last, key
    assert kept(DiaryVillageMonth) == counted_from_diaries(DiaryVillageMonth)
    assert differences() == 0


def test_every_kind_of_write_keeps_the_months(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 10, 31))
    late = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 10, 3), on_time=False)
    other = f.DiaryFactory(author=world.cadre2, village=world.v1, date=dt.date(2026, 10, 3))
    row = DiaryMonth.objects.get(month=dt.date(2026, 10, 1), author_id=world.cadre1.pk)
    assert row.days() == [3, 31]
    assert row.on_time == 1 << 30  # day 31 only
    assert (row.first_id, row.last_id) == (diary.pk, late.pk)
    assert_kept_as_counted()

    Diary.objects.filter(pk=diary.pk).update(situation="改写的民情")  # no counted column: nothing moves
    assert_kept_as_counted()
    Diary.objects.filter(pk=diary.pk).update(date=dt.date(2026, 11, 1))  # to another month
    Diary.objects.filter(pk=late.pk).update(on_time=True)
    Diary.objects.filter(pk=other.pk).update(village=world.v2)
    assert_kept_as_counted()
    assert DiaryVillageMonth.objects.get(village_id=world.v2.pk, author_id=world.cadre2.pk).days() == [3]
    assert DiaryVillageMonth.objects.get(village_id=world.v1.pk, author_id=world.cadre2.pk).written == 0
    assert DiaryMonth.objects.get(month=dt.date(2026, 10, 1), author_id=world.cadre1.pk).days() == [3]

    Diary.objects.filter(pk=late.pk).update(deleted_at=timezone.now())  # withdrawn
    assert_kept_as_counted()
    assert DiaryMonth.objects.get(month=dt.date(2026, 10, 1), author_id=world.cadre1.pk).written == 0
    Diary.objects.filter(pk=late.pk).update(deleted_at=None)  # restored
    Diary.objects.filter(pk=diary.pk).update(author=world.outsider, township=world.other_township,
                                             village=world.v_other)
    assert_kept_as_counted()
    other.delete()
    Diary.objects.bulk_create([Diary(author=world.cadre3, township=world.township, village=world.v3,
                                     date=dt.date(2026, 12, day), situation="批量") for day in (1, 2, 5)])
    assert_kept_as_counted()
    assert DiaryMonth.objects.get(author_id=world.cadre3.pk).days() == [1, 2, 5]


def test_rebuilding_counts_the_same_rows_afresh(world):
    for day in (1, 2, 30):
        f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, day))
    f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 12, 1), on_time=False)
    before = kept(), kept(DiaryVillageMonth)
    DiaryMonth.objects.all().delete()
    DiaryVillageMonth.objects.all().delete()
    assert rebuild() == 2
    assert (kept(), kept(DiaryVillageMonth)) == before


def test_emptying_the_diaries_empties_the_months(world):
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending foreign-key checks, done
        cursor.execute(f"TRUNCATE {Diary._meta.db_table} CASCADE")
    assert not DiaryMonth.objects.exists()
    assert not DiaryVillageMonth.objects.exists()


@pytest.fixture
def ten_weeks(world):  # type: ignore[no-untyped-def]
    """Ten weeks across four months: three cadres write most days, some late, some withdrawn, in
    two villages; a holiday week and a make-up Saturday; an absence across a month's end; a
    scoped cadre's diary in the other township; visits to their households."""
    for day in range(1, 8):
        CalendarDay.objects.create(township=world.township, date=dt.date(2026, 10, day), is_workday=False, name="国庆")
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 10, 10), is_workday=True, name="调休")
    ExcusedAbsence.objects.create(cadre=world.cadre1, start=dt.date(2026, 10, 29), end=dt.date(2026, 11, 3))
    ExcusedAbsence.objects.create(cadre=world.cadre2, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1))
    rng = random.Random(2026)
    households = {world.v1.pk: world.h1, world.v2.pk: world.h2, world.v3.pk: world.h3}
    day = FIRST
    while day <= LAST:
        for cadre, villages in ((world.cadre1, (world.v1, world.v2)), (world.cadre2, (world.v2,)),
                                (world.cadre3, (world.v3, world.v1))):
            if rng.random() < 0.8 and (cadre, day) != (world.cadre2, ABROAD):
                village = rng.choice(villages)
                diary = f.DiaryFactory(author=cadre, village=village, date=day, on_time=rng.random() < 0.85,
                                       deleted_at=timezone.now() if rng.random() < 0.05 else None)
                if rng.random() < 0.3:
                    diary.households.set([households[village.pk]])
        day += dt.timedelta(days=1)
    f.DiaryFactory(author=world.cadre2, village=world.v_other, township=world.other_township,
                   date=ABROAD)
    f.DiaryFactory(author=world.outsider, village=world.v_other, date=dt.date(2026, 11, 16))
    return world


PERIODS = [
    (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # one whole month
    (FIRST, LAST),  # two whole months and a part on each side
    (dt.date(2026, 10, 1), dt.date(2026, 11, 15)),
    (dt.date(2026, 10, 10), dt.date(2026, 11, 30)),
    (dt.date(2026, 9, 30), dt.date(2026, 12, 1)),
    (dt.date(2026, 10, 3), dt.date(2026, 10, 20)),  # no whole month
]


@pytest.mark.parametrize("start,end", PERIODS)
@pytest.mark.parametrize("by", ["cadre", "village", "unit", "township"])
def test_the_report_over_whole_months_is_the_report_counted_from_the_diaries(ten_weeks, monkeypatch, start, end, by):
    scopes = [[ten_weeks.township.pk], None]
    from_months = [completeness(start=start, end=end, by=by, township_ids=scope) for scope in scopes]
    monkeypatch.setattr(completeness_module, "_whole_months", lambda start, end: None)
    from_diaries = [completeness(start=start, end=end, by=by, township_ids=scope) for scope in scopes]
    assert from_months == from_diaries
    assert sum(row["written"] for row in from_diaries[0]) > 20  # the period's diaries were counted
    if by == "cadre":
        assert any(row["households_visited"] for row in from_diaries[0])


def test_a_whole_month_reads_the_months_not_the_diaries(ten_weeks, django_assert_num_queries):
    """The county's October: the diaries by month alone (no pass over the diaries' index), one
    statement; with the days before and after it, one statement for each side."""
    from supervision.services.completeness import _split_pass

    workdays = {ten_weeks.township.pk: [dt.date(2026, 10, day) for day in range(8, 32)]}
    with django_assert_num_queries(1) as context:
        _split_pass(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), township_ids=None,
                    cadre_ids=[ten_weeks.cadre1.pk], workdays=workdays, excused={}, villages=False)
    assert DiaryMonth._meta.db_table + " m" in context.captured_queries[0]["sql"]
    assert Diary._meta.db_table + " " not in context.captured_queries[0]["sql"]
    with django_assert_num_queries(3):
        _split_pass(start=dt.date(2026, 9, 30), end=dt.date(2026, 11, 1), township_ids=None,
                    cadre_ids=[ten_weeks.cadre1.pk], workdays=workdays, excused={}, villages=False)


def test_the_command_checks_the_months_and_counts_them_afresh(world):
    from django.core.management import CommandError, call_command

    for day in (2, 3):
        f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, day))
    out = io.StringIO()
    call_command("rebuild_diary_months", "--check", stdout=out)
    assert "一致" in out.getvalue()
    # given a row that lost a day and one that gained a village (a restore without the triggers, a hand edit)
    DiaryMonth.objects.filter(author_id=world.cadre1.pk).update(written=1 << 1)
    DiaryVillageMonth.objects.create(month=dt.date(2026, 10, 1), township_id=world.township.pk,
                                     village_id=world.v2.pk, author_id=world.cadre1.pk, written=1)
    with pytest.raises(CommandError, match="2 行"):
        call_command("rebuild_diary_months", "--check", stdout=io.StringIO())
    call_command("rebuild_diary_months", stdout=out)
    assert "1 行已统计" in out.getvalue()
    assert DiaryMonth.objects.get(author_id=world.cadre1.pk).days() == [2, 3]
    assert not DiaryVillageMonth.objects.filter(village_id=world.v2.pk).exists()
    call_command("rebuild_diary_months", "--check", stdout=io.StringIO())
