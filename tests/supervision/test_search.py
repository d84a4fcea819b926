"""Word-aware search of diaries and matters (core.search, supervision.search): every word must
match, ranked, scoped exactly as the lists, highlighted and escaped; bad queries are clear errors.

Runs on PostgreSQL (tsvector + GIN) with DATABASE_URL set, and on SQLite (FTS5) without it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cadres.roles import actor_for
from core.errors import DomainError
from core.search import MAX_QUERY_LENGTH, document, highlight, parse_query
from core.term_filter import term_filter
from supervision.models import Diary
from supervision.search import index_diaries, index_diary, search_diaries
from supervision.selectors.diaries import diary_list
from supervision.services.diaries import diary_create, diary_update
from supervision.services.matters import matter_create
from tests import factories as f
from tests.helpers import api_client, assert_num_queries, page_client, queries_of, results

PUMP = "东坡组地势高，夏季用水高峰时段供水不足，群众建议加装加压泵。"
PUMP_ONLY = "检查了加压泵的运行记录，设备正常。"
WATER_ONLY = "自来水管网改造后供水稳定。"


def _write(cadre, situation, *, village, day=None, **more):  # type: ignore[no-untyped-def]
    return diary_create(actor=actor_for(cadre.user), village=village, situation=situation, date=day, **more)


@pytest.fixture
def diaries(world):  # type: ignore[no-untyped-def]
    today = f.today()
    return {
        "pump": _write(world.cadre1, PUMP, village=world.v1),
        "pump_only": _write(world.cadre2, PUMP_ONLY, village=world.v2),
        "water_only": _write(world.cadre3, WATER_ONLY, village=world.v3),
        "other_township": f.DiaryFactory(author=world.outsider, village=world.v_other, situation=PUMP, date=today),
    }


def _ids(qs) -> set[int]:  # type: ignore[no-untyped-def]
    return set(qs.values_list("pk", flat=True))


# --- the query ---------------------------------------------------------------------------------


def test_a_query_is_one_group_per_pair_of_characters_and_latin_word():
    assert parse_query("加压泵 供水") == [["加压"], ["压泵"], ["供水"]]
    assert parse_query("G210 国道") == [["g210"], ["国道"]]
    assert parse_query("加压泵，供水！") == [["加压"], ["压泵"], ["供水"]]


@pytest.mark.parametrize(("q", "message"), [
    ("", "请输入要搜索的词。"),
    ("   ", "请输入要搜索的词。"),
    ("'\";--", "请输入要搜索的词（汉字、字母或数字）。"),
    ("水", "每个中文词至少两个字"),
    ("供水" * (MAX_QUERY_LENGTH // 2 + 1), "搜索词太长"),
])
def test_a_query_that_cannot_be_searched_is_a_clear_error(q, message):
    with pytest.raises(DomainError) as caught:
        parse_query(q)
    assert message in caught.value.message and caught.value.field == "q"


def test_the_document_holds_words_and_bigrams():
    terms = document("群众建议加装加压泵，加压").split()
    assert {"加压泵", "加压", "压泵", "群众"} <= set(terms)
    assert terms.count("加压") > 1  # as often as it occurs: ranking counts it


def test_place_words_keep_village_names_whole(place_words, world):
    f.VillageFactory(township=world.township, name="石门坎村", code="V777")
    place_words.reset()
    assert "石门坎村" in place_words.words("今天到石门坎村走访")


# --- highlighting ------------------------------------------------------------------------------


def test_highlight_marks_the_words_and_escapes_everything_else():
    out = highlight('<script>alert("加压泵")</script> 供水', [["加压"], ["压泵"], ["供水"]])
    assert out == ("&lt;script&gt;alert(&quot;<mark>加压泵</mark>&quot;)&lt;/script&gt; <mark>供水</mark>")


def test_highlight_cuts_a_long_text_around_the_first_match():
    out = highlight("甲" * 200 + "供水" + "乙" * 200, [["供水"]], width=40)
    assert out.startswith("…") and out.endswith("…") and "<mark>供水</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) <= 42


# --- search, index, scope ----------------------------------------------------------------------


def test_every_word_must_match_in_any_order(world, diaries):
    leader = actor_for(world.secretary.user)
    assert _ids(search_diaries(diary_list(leader), parse_query("加压泵 供水"))) == {diaries["pump"].pk}
    assert _ids(search_diaries(diary_list(leader), parse_query("供水 加压泵"))) == {diaries["pump"].pk}
    assert _ids(search_diaries(diary_list(leader), parse_query("加压泵"))) == {
        diaries["pump"].pk, diaries["pump_only"].pk}
    assert not _ids(search_diaries(diary_list(leader), parse_query("加压泵 温室")))


def test_results_are_ranked(world):
    strong = _write(world.cadre1, "供水供水，供水管网，供水站，供水不足", village=world.v1)
    weak = _write(world.cadre2, "走访了五户农户，谈到了产业、道路、医保和供水等很多事情，" * 5, village=world.v2)
    leader = actor_for(world.secretary.user)
    ranked = list(search_diaries(diary_list(leader), parse_query("供水")).order_by("-search_rank", "-id"))
    assert [d.pk for d in ranked] == [strong.pk, weak.pk]
    assert ranked[0].search_rank > ranked[1].search_rank


def test_a_cadre_finds_only_their_own_and_another_township_is_never_found(world, diaries):
    groups = parse_query("加压泵")
    assert _ids(search_diaries(diary_list(actor_for(world.cadre1.user)), groups)) == {diaries["pump"].pk}
    assert _ids(search_diaries(diary_list(actor_for(world.cadre3.user)), groups)) == set()
    # the other township's diary is indexed, yet the township's leader never finds it
    index_diaries([diaries["other_township"].pk])
    assert diaries["other_township"].pk not in _ids(search_diaries(diary_list(actor_for(world.secretary.user)), groups))
    assert _ids(search_diaries(diary_list(actor_for(world.outsider.user)), groups)) == {diaries["other_township"].pk}


def test_the_township_term_narrows_the_match_inside_the_index(world, diaries):
    from supervision.models import Diary

    groups = parse_query("加压泵")
    index_diaries([diaries["other_township"].pk])
    everyone = Diary.objects.all()  # no list scope at all: only the township term narrows
    here = _ids(search_diaries(everyone, groups, township_id=world.township.pk))
    there = _ids(search_diaries(everyone, groups, township_id=world.other_township.pk))
    assert diaries["pump"].pk in here and diaries["other_township"].pk not in here
    assert there == {diaries["other_township"].pk}
    # and a leader's list with the term finds what it found without it
    leader = actor_for(world.secretary.user)
    assert _ids(search_diaries(diary_list(leader), groups, township_id=leader.township_id)) == _ids(
        search_diaries(diary_list(leader), groups))


def test_an_edit_reindexes_the_diary_in_the_same_transaction(world, diaries):
    diary = diaries["pump_only"]
    diary_update(actor=actor_for(world.cadre2.user), diary=diary, village=world.v2, category=diary.category,
                 situation="日光温室大棚薄膜破损")
    leader = actor_for(world.secretary.user)
    assert not _ids(search_diaries(diary_list(leader), parse_query("加压泵 运行")))
    assert _ids(search_diaries(diary_list(leader), parse_query("温室 薄膜"))) == {diary.pk}


def test_place_and_people_met_are_searched(world):
    diary = _write(world.cadre1, "了解春耕准备", village=world.v1, place="村委会议室", people_met="老党员王德顺")
    leader = actor_for(world.secretary.user)
    assert _ids(search_diaries(diary_list(leader), parse_query("王德顺 会议室"))) == {diary.pk}


def test_reindex_command_indexes_rows_written_in_bulk(world):
    rows = [f.DiaryFactory(author=world.cadre1, village=world.v1, situation=f"第{i}次加压泵检修",
                           date=f.today() - dt.timedelta(days=i)) for i in range(5)]
    f.MatterFactory(village=world.v1, description="加压泵损坏")
    leader = actor_for(world.secretary.user)
    assert not _ids(search_diaries(diary_list(leader), parse_query("加压泵")))
    call_command("reindex_search", batch=2, verbosity=0)
    assert _ids(search_diaries(diary_list(leader), parse_query("加压泵 检修"))) == {d.pk for d in rows}
    assert api_client(world.secretary.user).get("/api/v1/matters/", {"search": "加压泵"}).json()["results"]
    f.DiaryFactory(author=world.cadre2, village=world.v2, situation="加压泵检修")
    call_command("reindex_search", if_empty=True, verbosity=0)  # not empty: nothing done
    assert len(_ids(search_diaries(diary_list(leader), parse_query("加压泵 检修")))) == len(rows)
    call_command("reindex_search", verbosity=0)  # again: the same index, no duplicates, the new row too
    assert len(_ids(search_diaries(diary_list(leader), parse_query("加压泵 检修")))) == len(rows) + 1
    Diary.objects.filter(author=world.cadre2).delete()
    assert _ids(search_diaries(diary_list(leader), parse_query("加压泵 检修"))) == {d.pk for d in rows}


def test_indexing_a_row_is_one_statement_on_postgresql(world):
    diary = _write(world.cadre1, "加压泵", village=world.v1)
    # PostgreSQL: one upsert; SQLite's FTS5 has no upsert (a delete, then the insert)
    with assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        index_diary(diary)


# --- pages -------------------------------------------------------------------------------------


def test_search_page_shows_both_sections_highlighted_and_scoped(world, diaries):
    matter = matter_create(actor=actor_for(world.office.user), village=world.v1, description="三组加压泵坏了，高处供水中断")
    page = page_client(world.secretary.user).get("/search/", {"q": "加压泵 供水"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="/diaries/{diaries["pump"].pk}/"' in body and f'href="/matters/{matter.pk}/"' in body
    assert "<mark>加压泵</mark>" in body and "<mark>供水</mark>" in body
    assert f'href="/diaries/{diaries["pump_only"].pk}/"' not in body
    assert f'href="/diaries/{diaries["other_township"].pk}/"' not in body
    mine = page_client(world.cadre2.user).get("/search/", {"q": "加压泵"}).content.decode()
    assert f'href="/diaries/{diaries["pump_only"].pk}/"' in mine
    assert f'href="/diaries/{diaries["pump"].pk}/"' not in mine


def test_search_page_escapes_what_the_author_wrote(world):
    diary = _write(world.cadre1, '<script>alert("供水")</script><img src=x onerror=alert(1)>', village=world.v1)
    body = page_client(world.secretary.user).get("/search/", {"q": "供水"}).content.decode()
    assert f'href="/diaries/{diary.pk}/"' in body
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;<mark>供水</mark>&quot;)&lt;/script&gt;" in body


@pytest.mark.parametrize(("q", "message"), [
    ("水", "每个中文词至少两个字"), ("供水" * 40, "搜索词太长"), ("!!!", "汉字、字母或数字"),
])
def test_a_bad_query_on_the_pages_is_a_clear_error_not_a_500(world, diaries, q, message):
    client = page_client(world.secretary.user)
    for url in ("/search/", "/diaries/", "/matters/"):
        response = client.get(url, {"q": q})
        assert response.status_code == 200, url
        assert message in response.content.decode(), url


def test_diary_list_search_keeps_the_other_filters(world, diaries):
    client = page_client(world.secretary.user)
    body = client.get("/diaries/", {"view": "feed", "q": "加压泵", "village": world.v2.pk}).content.decode()
    assert f'href="/diaries/{diaries["pump_only"].pk}/"' in body and f'href="/diaries/{diaries["pump"].pk}/"' not in body
    assert 'name="q"' in body and 'value="加压泵"' in body


def test_matter_list_search(world):
    office = actor_for(world.office.user)
    hit = matter_create(actor=office, village=world.v1, description="机井水泵损坏，春灌用水困难")
    matter_create(actor=office, village=world.v2, description="道路破损")
    body = page_client(world.office.user).get("/matters/", {"q": "水泵 春灌"}).content.decode()
    assert f'href="/matters/{hit.pk}/"' in body and "道路破损" not in body
    assert "<mark>水泵</mark>" in body


@pytest.mark.parametrize("rows", [1, 20])
def test_search_page_query_count_is_constant(world, rows):
    written = [f.DiaryFactory(author=world.cadre1, village=world.v1, situation=f"加压泵供水第{i}次",
                              date=f.today() - dt.timedelta(days=i)) for i in range(rows)]
    index_diaries([d.pk for d in written])
    matter_create(actor=actor_for(world.office.user), village=world.v1, description="加压泵供水")
    client = page_client(world.secretary.user)
    client.get("/search/", {"q": "加压泵"})
    # session, user, groups, cadre, managed units (5) + diaries + matters + the unread notifications
    with assert_num_queries(SEARCH_PAGE_QUERIES):
        body = client.get("/search/", {"q": "加压泵 供水"}).content.decode()
    assert body.count("<mark>加压泵供水</mark>") == rows + 1


# --- API ---------------------------------------------------------------------------------------


def test_api_search_on_diaries_is_scoped_and_cursor_paginated(world, diaries):
    leader = api_client(world.secretary.user)
    rows = results(leader.get("/api/v1/diaries/", {"search": "加压泵 供水"}))
    assert [r["id"] for r in rows] == [diaries["pump"].pk]
    rows = results(api_client(world.cadre2.user).get("/api/v1/diaries/", {"search": "加压泵"}))
    assert [r["id"] for r in rows] == [diaries["pump_only"].pk]
    # more than a page: the cursor walks the matches in the list's order (newest first). Earlier
    # days through the factory (indexed as the write service would): backfilling three days is
    # refused on a Monday, whose window holds one workday.
    for i in range(1, 4):
        index_diary(f.DiaryFactory(author=world.cadre1, village=world.v1, situation=f"加压泵巡查{i}",
                                   date=f.today() - dt.timedelta(days=i)))
    first = leader.get("/api/v1/diaries/", {"search": "加压泵", "page_size": 2}).json()
    second = leader.get(first["next"]).json()
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) and len(seen) >= 4
    assert [r["date"] for r in first["results"]] == sorted((r["date"] for r in first["results"]), reverse=True)


def test_api_search_on_matters(world):
    office = actor_for(world.office.user)
    hit = matter_create(actor=office, village=world.v1, description="机井水泵损坏，春灌用水困难")
    matter_create(actor=office, village=world.v2, description="道路破损")
    rows = results(api_client(world.office.user).get("/api/v1/matters/", {"search": "春灌 水泵"}))
    assert [r["id"] for r in rows] == [hit.pk]
    assert results(api_client(world.outsider.user).get("/api/v1/matters/", {"search": "水泵"})) == []


@pytest.mark.parametrize("q", ["水", "供水" * 40, "!!!"])
def test_api_bad_search_is_a_400_with_the_reason(world, q, monkeypatch):
    from supervision.api import diaries as api

    for url in ("/api/v1/diaries/", "/api/v1/matters/"):
        response = api_client(world.secretary.user).get(url, {"search": q})
        assert response.status_code == 400, (url, response.content)
        assert response.json()["errors"]["search"]
    # a township reader, a cadre who reads only their own diaries and a reader of neither kind get
    # the filter set's answer, word for word, whichever way their page would have been found
    for user in (world.secretary.user, world.cadre1.user, world.deputy.user):
        answer = api_client(user).get("/api/v1/diaries/", {"search": q, "page_size": 5})
        with monkeypatch.context() as patched:
            patched.setattr(api.DiaryViewSet, "_search_only_walk", lambda self: None)
            through_the_filter = api_client(user).get("/api/v1/diaries/", {"search": q, "page_size": 5})
        assert answer.status_code == through_the_filter.status_code == 400
        assert answer.json() == through_the_filter.json()


def test_api_empty_search_is_the_plain_list(world, diaries):
    rows = results(api_client(world.secretary.user).get("/api/v1/diaries/", {"search": ""}))
    assert len(rows) == 3


SEARCH_PAGE_QUERIES = 8


def test_demo_pump_and_water_finds_the_diaries_with_both_words_and_a_cadre_only_their_own(world):
    import random

    from core.demo import DemoContext
    from supervision.demo import diaries as demo_daily

    ctx = DemoContext(rng=random.Random(1), seed=1, scale="township", password="x" * 10, today=dt.date(2026, 11, 25),
                      out=lambda line: None, townships=[world.township], main_township=world.township)
    demo_daily.seed(ctx)
    groups = parse_query("加压泵 供水")
    found = list(search_diaries(diary_list(actor_for(world.secretary.user)), groups))
    both = [d for d in Diary.objects.filter(township=world.township)
            if all(w in " ".join((d.situation, d.problems, d.ideas, d.place, d.people_met)) for w in ("加压泵", "供水"))]
    assert found and {d.pk for d in found} == {d.pk for d in both}
    own = _ids(search_diaries(diary_list(actor_for(world.cadre1.user)), groups))
    assert own == {d.pk for d in found if d.author_id == world.cadre1.pk}


def test_a_demo_seeded_before_search_is_indexed_when_the_demo_runs_again(world):
    import random

    from core.demo import DemoContext
    from supervision.demo import diaries as demo_daily
    from supervision.search import DIARY_INDEX

    f.DiaryFactory(author=world.cadre1, village=world.v1, situation="旧库里的加压泵日记")
    ctx = DemoContext(rng=random.Random(1), seed=1, scale="township", password="x" * 10, today=dt.date(2026, 11, 25),
                      out=lambda line: None, townships=[world.township], main_township=world.township)
    assert DIARY_INDEX.is_empty()
    demo_daily.seed(ctx)  # skipped as already seeded, but indexed
    assert not DIARY_INDEX.is_empty()
    assert _ids(search_diaries(diary_list(actor_for(world.secretary.user)), parse_query("加压泵")))


@pytest.mark.parametrize("url", ["/api/v1/diaries/", "/api/v1/matters/"])
def test_api_search_costs_the_queries_of_the_plain_list(world, diaries, url):
    matter_create(actor=actor_for(world.office.user), village=world.v1, description="加压泵供水")
    client = api_client(world.secretary.user)
    client.get(url)
    plain, plain_sql = queries_of(lambda: client.get(url))
    found, found_sql = queries_of(lambda: client.get(url, {"search": "加压泵 供水"}))
    assert len(results(found)) == 1 and len(results(plain)) >= 1
    # A diary search on PostgreSQL finds the page's ids and reads their rows in one statement.
    assert len(found_sql) == len(plain_sql)


@pytest.mark.parametrize("rows", [1, 50])
def test_api_search_query_count_is_constant_and_rows_are_the_lists_in_its_order(world, rows):
    # given `rows` matching diaries with households, and one that does not match
    written = [f.DiaryFactory(author=world.cadre1, village=world.v1, situation=f"管网维修第{i}次",
                              date=f.today() - dt.timedelta(days=i)) for i in range(rows)]
    for diary in written:
        diary.households.set([world.h1])
    other = f.DiaryFactory(author=world.cadre2, village=world.v2, situation="道路破损", date=f.today())
    index_diaries([d.pk for d in [*written, other]])
    client = api_client(world.secretary.user)
    client.get("/api/v1/diaries/", {"page_size": 1})  # the token and the caller are known
    # when searching (the caller cached): on PostgreSQL the page's ids and its rows with their
    # households in one statement; on SQLite the page, then its households
    with assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        found = client.get("/api/v1/diaries/", {"search": "管网 维修"}).json()["results"]
    # then the rows are exactly the plain list's matching rows, in its order, with their households
    listed = [r for r in client.get("/api/v1/diaries/", {"page_size": 100}).json()["results"] if r["id"] != other.pk]
    assert found == listed[:50]
    assert all(r["households"] == [world.h1.pk] for r in found)


# --- the API's two-step search page (PostgreSQL) ---------------------------------------------------


@pytest.fixture
def many_matches(world):  # type: ignore[no-untyped-def]
    """Matching diaries of every author and village over a few days, several a day (the cursor's
    offset within a day), one withdrawn, one of another township, some not matching."""
    authors = [(world.cadre1, world.v1), (world.cadre2, world.v2), (world.cadre3, world.v3),
               (world.deputy, world.v2), (world.unit_head, world.v3), (world.office, world.v1)]
    return _matching(world, authors, days_back=range(4), every=4, withdrawn_back=5)


def _matching(world, authors, *, days_back, every, withdrawn_back):  # type: ignore[no-untyped-def]
    """For each day `days_back` from today, a diary of each author: 道路破损 where the day and the
    author's place add up to a multiple of `every`, else 管网维修; then one withdrawn and one of
    another township; all indexed."""
    today = f.today()
    written = []
    for back in days_back:
        for i, (author, village) in enumerate(authors):
            text = "管网维修" if (back + i) % every else "道路破损"
            written.append(f.DiaryFactory(author=author, village=village, situation=f"{text}第{back}-{i}次",
                                          date=today - dt.timedelta(days=back)))
    written.append(f.DiaryFactory(author=world.cadre1, village=world.v1, situation="管网维修（已撤回）",
                                  date=today - dt.timedelta(days=withdrawn_back), deleted_at=timezone.now()))
    written.append(f.DiaryFactory(author=world.outsider, village=world.v_other, situation="管网维修", date=today))
    index_diaries([d.pk for d in written])
    return written


def _pages(client, params):  # type: ignore[no-untyped-def]
    """Every page's body, following `next` to the end and then `previous` once back."""
    bodies = []
    response = client.get("/api/v1/diaries/", params)
    while True:
        assert response.status_code == 200, response.content
        bodies.append(response.content)
        following = response.json()["next"]
        if not following:
            break
        response = client.get(following)
    previous = response.json()["previous"]
    if previous:
        bodies.append(client.get(previous).content)
    return bodies


@pytest.mark.parametrize("params", [
    {"search": "管网 维修", "page_size": 4},
    {"search": "管网", "page_size": 3, "village": "PLACEHOLDER"},
    {"search": "维修", "page_size": 5, "start": "PLACEHOLDER"},
])
def test_api_two_step_search_pages_are_byte_identical_to_the_one_step_pages_for_every_role(
    world, many_matches, monkeypatch, params,
):
    # given the same requests, answered (on PostgreSQL) in two steps, the page's ids walked from
    # the list's newest rows, and (patched) as one query over the joined rows; the village and
    # start filters are always answered in one query
    from supervision.api import diaries as api

    params = dict(params)
    if "village" in params:
        params["village"] = str(world.v2.pk)
    if "start" in params:
        params["start"] = (f.today() - dt.timedelta(days=2)).isoformat()
    for name, user in world.users.items():
        client = api_client(user)
        two_steps = _pages(client, params)
        with monkeypatch.context() as patched:
            # the filter set built (the list's scope and filters), its walk paged
            patched.setattr(api.DiaryViewSet, "_search_only_walk", lambda self: None)
            through_the_filter = _pages(client, params)
            patched.setattr(api.DiaryFilter, "_searches_only", lambda self: False)
            one_step = _pages(client, params)
        # then every page, its links included, is the same to the byte
        assert two_steps == through_the_filter == one_step, name
    assert len(_pages(api_client(world.secretary.user), {"search": "管网 维修", "page_size": 4})) > 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's index (FTS5) keeps only the text")
def test_the_search_row_keeps_its_diarys_date_and_author(world, diaries):
    from supervision.models import DiarySearch

    # written by the services, edited, and indexed in bulk
    diary_update(actor=actor_for(world.cadre1.user), diary=diaries["pump"], village=world.v2,
                 category=diaries["pump"].category, situation="改写")
    bulk = f.DiaryFactory(author=world.cadre2, village=world.v2, situation="补录", date=f.today() - dt.timedelta(days=3))
    call_command("reindex_search", "--only", "diaries", stdout=None)
    rows = dict(DiarySearch.objects.values_list("diary_id", "date"))
    expected = dict(Diary.objects.values_list("pk", "date"))
    assert rows == expected and bulk.pk in rows
    authors = dict(DiarySearch.objects.values_list("diary_id", "author_id"))
    assert authors == dict(Diary.objects.values_list("pk", "author_id"))


# --- the newest-first walk (PostgreSQL) ----------------------------------------------------------


def _unbounded(found, ordering, bounds, page):  # type: ignore[no-untyped-def]
    return list(found.filter(**bounds).order_by(*ordering).values("id", "date")[page])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk is PostgreSQL's (FTS5 answers in one query)")
@pytest.mark.parametrize("q", ["管网 维修", "道路", "破损 管网", "温室 薄膜"])
def test_the_walk_finds_exactly_the_index_s_rows_for_every_role_bound_page_and_walk_length(world, many_matches, q):
    # given the fixture's matches: several a day (ties on the date), a withdrawn one, another
    # township's; common words, rare words and words nothing holds
    from supervision.search import SearchWalk, township_search_rows
    from supervision.selectors.diaries import diaries_for, township_reader_of

    groups = parse_query(q)
    today = f.today()
    bounds = [{}, {"date__lt": today.isoformat()}, {"date__lt": (today - dt.timedelta(days=1)).isoformat()},
              {"date__gt": (today - dt.timedelta(days=3)).isoformat()}, {"date__lt": "2000-01-01"}]
    for name, user in world.users.items():
        actor = actor_for(user)
        scope = diaries_for(actor)
        found = search_diaries(scope, groups, township_id=actor.township_id, rank=False)
        reader = township_reader_of(actor)
        for fallback in {found, township_search_rows(groups, township_id=reader) if reader else found}:
            for walk_rows in (1, 2, 3, 7, 1000):  # shorter than the page: the fallback answers
                walk = SearchWalk(scope, groups, fallback, walk_rows=walk_rows)
                for ordering in (("-date", "-id"), ("date", "id")):
                    for bound in bounds:
                        for page in (slice(0, 3), slice(0, 51), slice(2, 5), slice(4, 9)):
                            # when walked, then the rows are the index's, in the list's order
                            got = walk.order_by(*ordering).filter(**bound)[page]
                            assert got == _unbounded(found, ordering, bound, page), (name, walk_rows, ordering, bound)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk is PostgreSQL's (FTS5 answers in one query)")
@pytest.mark.parametrize("walk_rows", [1, 4, 1000])
def test_api_search_pages_are_the_same_however_short_the_walk(world, many_matches, monkeypatch, walk_rows):
    # given a walk that reaches the page's end (1000), or falls back to the index (1, 4)
    from supervision import search
    from supervision.api import diaries as api

    monkeypatch.setattr(search.SearchWalk.__init__, "__defaults__", (("-date", "-id"), walk_rows))
    for name, user in world.users.items():
        client = api_client(user)
        for params in ({"search": "管网 维修", "page_size": 2}, {"search": "道路", "page_size": 1},
                       {"search": "温室", "page_size": 2}):
            walked = _pages(client, params)
            with monkeypatch.context() as patched:
                patched.setattr(api.DiaryFilter, "_searches_only", lambda self: False)
                one_step = _pages(client, params)
            # then every page and its links are those of the one query over the joined rows
            assert walked == one_step, (name, params)


def test_own_readers_are_exactly_those_whose_readable_diaries_are_their_own(world, many_matches):
    # given diaries of six authors in three villages, one withdrawn, one of another township
    from supervision.models import Diary
    from supervision.selectors.diaries import diaries_for, own_reader_of

    for name, user in world.users.items():
        actor = actor_for(user)
        own = own_reader_of(actor)
        readable = set(diaries_for(actor).values_list("pk", flat=True))
        if own is not None:
            # then an own reader's list is their diaries of their township, not withdrawn
            cadre_id, township_id = own
            assert cadre_id == actor.cadre_id and township_id == actor.township_id, name
            mine = set(Diary.objects.filter(author_id=cadre_id, township_id=township_id, deleted_at__isnull=True)
                       .values_list("pk", flat=True))
            assert readable == mine, name
    owners = {name for name, user in world.users.items() if own_reader_of(actor_for(user)) is not None}
    # and the plain cadres are own readers; the leaders, the office, the unit head, the deputy
    # (who leads a village) and the reporter are not
    assert {"cadre1", "cadre2", "cadre3", "outsider"} <= owners
    assert not owners & {"secretary", "head", "deputy", "office", "unit_head", "inspector", "reporter"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table's index is PostgreSQL's")
@pytest.mark.parametrize("q", ["管网 维修", "道路", "破损 管网", "温室 薄膜", "管网 3", "加压泵"])
def test_an_own_reader_s_index_pages_are_the_list_s_matches_for_every_bound_and_page(world, many_matches, q):
    # given each cadre who reads only their own diaries (one withdrawn, another township's author)
    from supervision.search import SearchWalk, own_search_rows
    from supervision.selectors.diaries import diaries_for, own_reader_of

    groups = parse_query(q)
    today = f.today()
    bounds = [{}, {"date__lt": today.isoformat()}, {"date__gt": (today - dt.timedelta(days=3)).isoformat()},
              {"date__lt": "2000-01-01"}]
    owners = 0
    for name, user in world.users.items():
        actor = actor_for(user)
        if (own := own_reader_of(actor)) is None:
            continue
        owners += 1
        scope = diaries_for(actor)
        found = search_diaries(scope, groups, township_id=actor.township_id, rank=False)
        walk = SearchWalk(scope, groups, own_search_rows(groups, author_id=own[0], township_id=own[1]), walk_rows=0)
        for ordering in (("-date", "-id"), ("date", "id")):
            for bound in bounds:
                for page in (slice(0, 3), slice(0, 51), slice(2, 5)):
                    # when the index answers the page, then its rows are the list's matches, in order
                    got = walk.order_by(*ordering).filter(**bound)[page]
                    assert got == _unbounded(found, ordering, bound, page), (name, ordering, bound, page)
    assert owners >= 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table's index is PostgreSQL's")
@pytest.mark.parametrize(("q", "check"), [("管网 维修", "strpos(d.situation"), ("管网 3", "ts_match_vq(v.vector")])
def test_a_cadre_s_search_walks_their_diaries_and_checks_only_the_rows_their_filters_let_through(
        world, many_matches, q, check):
    # given a cadre who reads only their own diaries, and their matches for a common pair of words
    # (a Chinese query: checked in the diaries' texts; with a number: in their vectors)
    from supervision.models import DiaryTerms
    from supervision.search import own_search_rows

    groups = parse_query(q)
    sql, params = own_search_rows(groups, author_id=world.cadre1.pk, township_id=world.township.pk).sql(("-date", "-id"), 51)
    # then the walk is the author's diaries by date, each checked by its term filter before the rest
    assert "FROM supervision_diaryterms s WHERE s.author_id = %s AND (((get_bit(s.terms" in sql
    assert params[0] == world.cadre1.pk
    assert sql.index("get_bit(s.terms") < sql.index(check)
    assert ("ts_match_vq" in sql) == (check.startswith("ts_match_vq"))
    client = api_client(world.cadre1.user)
    expected = [d.pk for d in sorted((d for d in many_matches if d.author_id == world.cadre1.pk
                                      and d.deleted_at is None and "管网维修" in d.situation
                                      and ("3" not in q or "3" in d.situation)),
                                     key=lambda d: (d.date, d.pk), reverse=True)]
    page = client.get("/api/v1/diaries/", {"search": q}).json()["results"]
    # and the API's page carries the same diaries as the list filtered by the search
    assert [row["id"] for row in page] == expected and len(expected) >= 1
    # when one match's filter is that of another text (it lacks the words), then the walk rules it
    # out without reading the row: the filter is what the page consults first
    hidden = expected[0]
    DiaryTerms.objects.filter(pk=hidden).update(terms=term_filter(document("道路破损").split()))
    page = client.get("/api/v1/diaries/", {"search": q}).json()["results"]
    assert [row["id"] for row in page] == expected[1:]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table's index is PostgreSQL's")
@pytest.mark.parametrize("q", ["管网", "管网 维修", "维修 管网", "网坏", "加压泵 供水", "水泵"])
def test_a_chinese_query_checked_in_the_texts_finds_what_the_vectors_find(world, q):
    # given a cadre's diaries whose words sit in every indexed text, across two texts' boundary,
    # split by punctuation or a space, in a rarer character range, or nowhere
    from supervision.search import SearchWalk, diary_match_sql, own_search_rows
    from supervision.selectors.diaries import diaries_for

    today = f.today()
    texts = [
        {"situation": "村里的管", "problems": "网坏了"},  # 管|网 across two texts: no pair
        {"situation": "管，网都坏了", "ideas": "管 网"},  # split by punctuation and by a space
        {"place": "管网所"}, {"people_met": "维修工"}, {"ideas": "管网维修要快"},
        {"situation": "管网", "people_met": "维修班"}, {"problems": "加压泵坏了，供水不足"},
        {"situation": "水泵房㐀㐁", "problems": "加压 泵"}, {"situation": "道路破损"},
    ]
    written = [f.DiaryFactory(author=world.cadre1, village=world.v1, date=today - dt.timedelta(days=i),
                              **{"situation": "走访", **fields}) for i, fields in enumerate(texts)]
    index_diaries([d.pk for d in written])
    groups = parse_query(q)
    actor = actor_for(world.cadre1.user)
    scope = diaries_for(actor)
    # when the own walk checks each candidate in its texts
    rows = own_search_rows(groups, author_id=world.cadre1.pk, township_id=world.township.pk)
    assert "strpos(d.situation" in diary_match_sql("s.diary_id", rows.groups, township_id=world.township.pk)[0]
    walk = SearchWalk(None, groups, rows, walk_rows=0)
    got = [row["id"] for row in walk[0:51]]
    # then it finds exactly the diaries the GIN index finds through their vectors
    by_vectors = list(search_diaries(scope, groups, township_id=world.township.pk, rank=False)
                      .order_by("-date", "-id").values_list("pk", flat=True))
    assert got == by_vectors and by_vectors
    # and the general walk (a reader of a mixed scope), checking each row in its texts, as well
    mixed = SearchWalk(scope, groups, search_diaries(scope, groups, rank=False))
    assert [row["id"] for row in mixed[0:51]] == by_vectors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the filters are PostgreSQL's")
def test_the_migration_fills_each_search_row_s_filter_from_its_vector(world, many_matches):
    # given indexed diaries without term filters (a database from before them)
    import importlib

    from supervision.models import DiarySearch, DiaryTerms

    migration = importlib.import_module("supervision.migrations.0025_diaryterms")
    written = {pk: (author, day, bytes(terms)) for pk, author, day, terms
               in DiaryTerms.objects.values_list("pk", "author_id", "date", "terms")}
    assert set(written) == set(DiarySearch.objects.values_list("pk", flat=True)) and written
    DiaryTerms.objects.all().delete()
    # when the migration fills them
    with connection.schema_editor() as editor:
        migration.fill(None, editor)
    # then each diary's filter, made from its vector's lexemes, is the one its document gave when
    # it was written (the fixtures' texts are Chinese: lexemes and terms are the same), beside its
    # author and date
    filled = {pk: (author, day, bytes(terms)) for pk, author, day, terms
              in DiaryTerms.objects.values_list("pk", "author_id", "date", "terms")}
    assert filled == written


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk is PostgreSQL's (FTS5 answers in one query)")
def test_a_walk_that_fills_the_page_never_runs_the_fallback(world, many_matches):
    # given a fallback that fails on any row it reads (a division by zero), and a common pair of
    # words whose newest rows fill a page of 3
    from django.db import DataError, transaction

    from supervision.search import SearchWalk
    from supervision.selectors.diaries import diaries_for

    scope = diaries_for(actor_for(world.secretary.user))
    groups = parse_query("管网 维修")
    failing = search_diaries(scope, groups, rank=False).extra(where=["supervision_diary.id / 0 = 1"])
    # when the walk fills the page, then the fallback never ran
    assert len(SearchWalk(scope, groups, failing, walk_rows=1000)[0:3]) == 3
    # and when too few of the newest rows match for the walk to fill the page (道路破损: two of
    # the newest six), the fallback is what answers
    rare = parse_query("道路 破损")
    failing = search_diaries(scope, rare, rank=False).extra(where=["supervision_diary.id / 0 = 1"])
    with pytest.raises(DataError), transaction.atomic():
        SearchWalk(scope, rare, failing, walk_rows=2)[0:3]


def test_api_search_with_updated_since_returns_only_the_diaries_changed_since(world, many_matches):
    # given two matching diaries, one changed a day later than every other row
    from supervision.models import Diary

    later = timezone.now() + dt.timedelta(days=1)
    changed = many_matches[1]
    Diary.objects.filter(pk=changed.pk).update(updated_at=later)
    client = api_client(world.secretary.user)
    # when searching for the rows changed since then
    found = results(client.get("/api/v1/diaries/", {"search": "管网 维修", "updated_since": later.isoformat()}))
    # then only that diary is listed, the search and the other filter both applied
    assert [r["id"] for r in found] == [changed.pk]


# --- a township's page from its months (PostgreSQL) -----------------------------------------------


@pytest.fixture
def months_apart(world):  # type: ignore[no-untyped-def]
    """The township's matching diaries over five months around a new year, the newest month thin
    (three days in), several a day; one withdrawn; another township's; some not matching."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        authors = [(world.cadre1, world.v1), (world.cadre2, world.v2), (world.cadre3, world.v3)]
        _matching(world, authors, days_back=(0, 1, 2, 9, 20, 33, 47, 61, 75, 90, 104, 118, 140), every=3,
                  withdrawn_back=3)
        yield f.today()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the month terms are read by PostgreSQL's index")
@pytest.mark.parametrize("q", ["管网 维修", "道路 破损", "温室 薄膜"])
def test_a_township_s_pages_from_its_months_are_the_list_s_matches_for_every_bound_and_page(world, months_apart, q):
    # given a township reader, whose page is answered from the months around its cursor when
    # they hold it, and from every match of the township when they do not
    import time_machine

    from supervision.search import SearchWalk, township_search_rows

    groups = parse_query(q)
    today = months_apart
    bounds = [{}, {"date__lt": today.isoformat()}, {"date__lt": (today - dt.timedelta(days=30)).isoformat()},
              {"date__lte": "2026-01-01"}, {"date__gt": "2025-12-31"}, {"date__gte": "2025-11-15"},
              {"date__gt": today.isoformat()}, {"date__lt": "2000-01-01"}]
    actor = actor_for(world.secretary.user)
    scope = diary_list(actor)
    found = search_diaries(scope, groups, township_id=world.township.pk, rank=False)
    walk = SearchWalk(scope, groups, township_search_rows(groups, township_id=world.township.pk), walk_rows=0)
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        for ordering in (("-date", "-id"), ("date", "id")):
            for bound in bounds:
                for page in (slice(0, 2), slice(0, 5), slice(3, 9), slice(0, 51)):
                    # then each page is the list's matches in its order, whichever way answered
                    got = walk.order_by(*ordering).filter(**bound)[page]
                    assert got == _unbounded(found, ordering, bound, page), (ordering, bound, page)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the month terms are read by PostgreSQL's index")
def test_a_township_s_page_its_months_hold_never_reads_the_township_s_other_matches(world, months_apart):
    # given a page of 4 that the last three months hold (管网维修: two of three diaries a day)
    import time_machine
    from django.db import transaction

    from supervision.search import SearchWalk, township_search_rows

    groups = parse_query("管网 维修")
    rows = township_search_rows(groups, township_id=world.township.pk)
    walk = SearchWalk(diary_list(actor_for(world.secretary.user)), groups, rows, walk_rows=0).order_by("-date", "-id")
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        sql, params = walk._page_sql(0, 4)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: the index as at scale
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
            plan = [line for (line,) in cursor.fetchall()]
    # then the index is asked for the months' terms, and the township's whole match never runs
    township = f"''zzt{world.township.pk}''"
    conditions = [i for i, line in enumerate(plan) if "Index Cond" in line and "tsquery" in line]
    whole = [i for i in conditions if township in plan[i]]
    months = [i for i in conditions if f"zzt{world.township.pk}m202603" in plan[i]]
    assert months and whole, "\n".join(plan)
    assert all("never executed" in plan[i - 1] for i in whole), "\n".join(plan)
    assert not any("never executed" in plan[i - 1] for i in months), "\n".join(plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the month terms are read by PostgreSQL's index")
def test_a_diary_dated_past_the_months_still_leads_the_township_s_first_page(world, months_apart):
    # given a matching diary written in bulk with a date two months ahead (no service writes one)
    import time_machine

    from supervision.search import SearchWalk, township_search_rows

    ahead = f.DiaryFactory(author=world.cadre2, village=world.v2, situation="管网维修（补录）",
                           date=months_apart + dt.timedelta(days=62))
    index_diaries([ahead.pk])
    groups = parse_query("管网 维修")
    walk = SearchWalk(diary_list(actor_for(world.secretary.user)), groups,
                      township_search_rows(groups, township_id=world.township.pk), walk_rows=0)
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        # then the first page still starts with it (the months' answer is checked against the
        # township's newest diary)
        assert walk.order_by("-date", "-id")[0:3][0]["id"] == ahead.pk


def test_a_diary_s_document_holds_its_township_s_month(world):
    # given a diary written through the service
    from supervision.search import month_term

    diary = _write(world.cadre1, "管网维修", village=world.v1)
    # then its document holds its township's month, which a query of the month's diaries finds
    month = month_term(world.township.pk, diary.date)
    assert month == f"zzt{world.township.pk}m{diary.date:%Y%m}"
    assert _ids(search_diaries(Diary.objects.all(), [[month]])) == {diary.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the migration rewrites PostgreSQL's vectors")
@pytest.mark.django_db(transaction=True)
def test_the_month_term_migration_gives_every_indexed_diary_its_month_and_keeps_the_index(world):
    # given diaries of three months indexed before the month terms (0023's documents)
    from django.db.migrations.executor import MigrationExecutor

    from supervision.search import month_term

    today = f.today()
    written = [f.DiaryFactory(author=world.cadre1, village=world.v1, situation=f"管网维修{i}",
                              date=today - dt.timedelta(days=31 * i)) for i in range(3)]
    index_diaries([d.pk for d in written])
    before = [("supervision", "0023_diarysearch_author")]
    after = [("supervision", "0024_search_month_term")]
    try:
        MigrationExecutor(connection).migrate(before)

        def holding(term: str) -> set[int]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT diary_id FROM supervision_diarysearch WHERE vector @@ to_tsquery('simple', %s)",
                               [term])
                return {row[0] for row in cursor.fetchall()}

        terms = {d.pk: month_term(world.township.pk, d.date) for d in written}
        assert not any(holding(term) for term in terms.values())  # the way back took them out
        # when migrating forward
        MigrationExecutor(connection).migrate(after)
        # then each diary holds its own month's term, and its words and township as before
        assert all(holding(term) == {pk} for pk, term in terms.items())
        assert holding(f"管网 & 维修 & zzt{world.township.pk}") == set(terms)
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'diarysearch_author_vector_gin'")
            assert "gin (author_id, vector)" in cursor.fetchone()[0]
    finally:
        MigrationExecutor(connection).migrate(after)
