"""The benchmark's data generator: the same seed gives the same rows, and the rows make sense."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from bench.generate import PASSWORD, Scale, generate
from cadres.calendar import workdays
from cadres.models import Cadre, Household, HouseholdContact, Township, Village
from supervision.models import Diary, Disclosure, Matter

TINY = Scale("tiny", 300, townships=2, villages=3, groups=2, units=2, staff=4, village_cadres=1, households=12)
END = dt.date(2026, 6, 30)


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every generated row of the main tables, in id order (ids are part of what must repeat)."""
    return {
        "townships": list(Township.objects.order_by("pk").values_list()),
        "villages": list(Village.objects.order_by("pk").values_list()),
        "cadres": list(Cadre.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        "households": list(Household.objects.order_by("pk").values_list()),
        "contacts": list(HouseholdContact.objects.order_by("cadre_id", "household_id")
                         .values_list("cadre_id", "household_id", "kind", "start")),
        "diaries": list(Diary.objects.order_by("pk").values_list()),
        "links": list(Diary.households.through.objects.order_by("diary_id", "household_id")
                      .values_list("diary_id", "household_id")),
        "matters": list(Matter.objects.order_by("diary_id").values_list("diary_id", "status", "deadline", "unit_id")),
        "disclosures": list(Disclosure.objects.order_by("village_id", "requirement_id", "period_start")
                            .values_list("village_id", "requirement_id", "period_start", "posted_on")),
    }


def generated(seed: int) -> dict[str, list[tuple[object, ...]]]:
    with transaction.atomic():
        generate(scale=TINY, seed=seed, end=END, out=lambda _line: None)
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    first = generated(seed=7)
    second = generated(seed=7)
    other = generated(seed=8)

    assert len(first["diaries"]) == 300
    assert first == second
    assert other["diaries"] != first["diaries"]


@pytest.mark.django_db
def test_generated_diaries_follow_the_rules_of_the_portal():
    generate(scale=TINY, seed=3, end=END, out=lambda _line: None)

    diaries = list(Diary.objects.select_related("author", "village"))
    assert len(diaries) == 300
    assert len({(d.author_id, d.date) for d in diaries}) == 300  # one diary per cadre per day
    days = set(workdays(min(d.date for d in diaries), END, None))
    assert all(d.date in days for d in diaries)  # written for workdays, none after the end
    assert all(d.village.township_id == d.author.township_id == d.township_id for d in diaries)
    links = Diary.households.through.objects.values_list("diary__village_id", "household__village_id")
    assert links and all(a == b for a, b in links)  # visited households live in the diary's village
    assert Township.objects.count() == 2
    assert Cadre.objects.count() == 2 * TINY.cadres_per_township
    assert Household.objects.count() == 2 * 3 * 12


@pytest.mark.django_db
def test_the_bench_log_ins_exist_with_the_known_password():
    generate(scale=TINY, seed=1, end=END, out=lambda _line: None)

    for username in ("bench_secretary", "bench_cadre", "bench_office", "bench_county"):
        assert User.objects.get(username=username).check_password(PASSWORD)
    secretary = Cadre.objects.get(user__username="bench_secretary")
    assert (secretary.post, secretary.township.code) == ("party_secretary", "62010001")
    assert Diary.objects.filter(author__user__username="bench_cadre").exists()
    assert User.objects.get(username="bench_office").groups.filter(name="office").exists()


@pytest.mark.django_db
def test_generating_into_a_database_with_data_is_refused():
    generate(scale=TINY, seed=1, end=END, out=lambda _line: None)

    with pytest.raises(SystemExit, match="already holds"):
        generate(scale=TINY, seed=1, end=END, out=lambda _line: None)
    assert Diary.objects.count() == 300


@pytest.mark.django_db
def test_diary_texts_have_the_stated_lengths_and_hardly_repeat():
    generate(scale=TINY, seed=5, end=END, out=lambda _line: None)
    texts = list(Diary.objects.values_list("situation", "problems", "ideas"))

    situations = [s for s, _p, _i in texts]
    assert all(200 <= len(s) <= 600 for s in situations)
    assert all(30 <= len(p) <= 150 for _s, p, _i in texts if p)
    assert all(30 <= len(i) <= 150 for _s, _p, i in texts if i)
    assert any(p for _s, p, _i in texts) and any(i for _s, _p, i in texts)
    assert len(set(situations)) == len(situations)  # composed per diary, not drawn from a small pool


@pytest.mark.django_db
def test_the_bench_index_holds_what_the_services_would_index():
    from bench.run import sentence_document
    from supervision.search import DIARY_FIELDS, _document, month_term

    generate(scale=TINY, seed=5, end=END, out=lambda _line: None)
    cache: dict[str, str] = {}
    rows = Diary.objects.order_by("pk").values_list("township_id", "date", *DIARY_FIELDS)[:60]
    for township_id, day, *texts in rows:
        bench = sentence_document(township_id, texts, cache, day).split()
        assert sorted(bench) == sorted(_document(township_id, texts, day).split())
        assert month_term(township_id, day) in bench  # the month's term, as the services write it


@pytest.mark.django_db
def test_the_bench_search_index_is_complete_and_keeps_its_indexes():
    from django.db import connection

    from bench.run import ensure_search_index
    from supervision.models import DiarySearch

    generate(scale=TINY, seed=5, end=END, out=lambda _line: None)
    ensure_search_index()

    with connection.cursor() as cursor:  # SQLite's index is the FTS5 table (the side table stays empty)
        table = "supervision_diarysearch" if connection.vendor == "postgresql" else "supervision_diary_fts"
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == Diary.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'supervision_diarysearch'")
            names = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'supervision_diarysearch'::regclass "
                           "AND contype = 'f'")
            foreign_keys = cursor.fetchone()[0]
        assert "diarysearch_author_vector_gin" in names and foreign_keys == 1
        # the copied date and author, as the services write them (supervision.search.DIARY_COPIED)
        assert dict(DiarySearch.objects.values_list("diary_id", "date")) == dict(Diary.objects.values_list("pk", "date"))
        assert (dict(DiarySearch.objects.values_list("diary_id", "author_id"))
                == dict(Diary.objects.values_list("pk", "author_id")))
        # and every diary's term filter beside its author and date, its walk's index built again
        from supervision.models import DiaryTerms

        assert (set(DiaryTerms.objects.values_list("diary_id", "author_id", "date"))
                == set(Diary.objects.values_list("pk", "author_id", "date")))
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'supervision_diaryterms'")
            assert "diaryterms_author_walk" in {row[0] for row in cursor.fetchall()}
