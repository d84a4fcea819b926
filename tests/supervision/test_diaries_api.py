"""`/api/v1/diaries/`: fields, filters, scope, the author's writes, bad input; query counts pinned."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone, translation

from supervision.api.serializers.diaries import DiarySerializer
from supervision.models import Diary
from tests import factories as f
from tests.helpers import api_client, assert_num_queries, results

FIELDS = {"id", "author", "author_name", "date", "village", "village_name", "households", "category",
          "category_display", "place", "people_met", "situation", "problems", "ideas", "on_time", "created_at",
          "updated_at"}


def test_author_creates_todays_diary(world):
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", {
        "village": world.v1.pk, "households": [world.h1.pk], "category": "industry",
        "situation": "温室番茄长势良好", "ideas": "建议组织技术培训",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    today = timezone.localdate()
    assert (body["author"], body["date"], body["village"], body["households"], body["category"],
            body["category_display"], body["on_time"]) == (
        world.cadre1.pk, today.isoformat(), world.v1.pk, [world.h1.pk], "industry", "产业发展/日光温室", True)
    # the answer (built from the saved diary) is what reading it back gives
    assert api_client(world.cadre1.user).get(f"/api/v1/diaries/{body['id']}/").json() == body


# On PostgreSQL the diary, its households, its version and the version's households are one
# statement (core.history), whatever the number of households; elsewhere four (two without
# households). The last statement indexes the diary for search (one upsert on PostgreSQL, a delete
# and an insert in FTS5).
@pytest.mark.parametrize(("visited", "queries"), [(0, {"postgresql": 5, "sqlite": 7}),
                                                  (1, {"postgresql": 5, "sqlite": 9}),
                                                  (3, {"postgresql": 5, "sqlite": 9})])
def test_writing_a_diary_records_one_version_with_its_households(world, visited, queries):
    # given cadre1's client already made a request (the token and the caller are known)
    households = [world.h1, *(f.HouseholdFactory(village=world.v1) for _ in range(visited - 1))][:visited]
    client = api_client(world.cadre1.user)
    client.get("/api/v1/diaries/?page_size=1")
    # when the diary is posted: the same statements for one household as for three
    with assert_num_queries(queries[connection.vendor]):
        response = client.post("/api/v1/diaries/", {
            "village": world.v1.pk, "households": [h.pk for h in households], "situation": "走访",
        }, format="json")
    assert response.status_code == 201, response.json()
    # then the history holds one version, by cadre1, that already lists the households
    diary = Diary.objects.get(pk=response.json()["id"])
    versions = list(diary.history.all())
    assert [(v.history_type, v.history_user) for v in versions] == [("+", world.cadre1.user)]
    assert sorted(link.household_id for link in versions[0].households.all()) == sorted(h.pk for h in households)
    assert sorted(diary.households.values_list("pk", flat=True)) == sorted(h.pk for h in households)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"date": "2099-01-01"}, "date", "不能为未来的日期写日记。"),
        ({"date": "2026-02-30"}, "date", "日期格式错误"),
        ({"village": "V900"}, "village", "所选村不属于您所在的乡镇。"),
        ({"situation": "字" * 5001}, "situation", "5000"),
        ({"category": "gossip"}, "category", "不是合法选项"),
        ({"situation": ""}, "situation", "不能为空"),
        ({"households": [999999]}, "households", "以下农户不存在或不属于所选村：999999。"),
        ({"households": ["甲"]}, "households", "类型错误"),
        ({"households": "1,2"}, "households", "列表"),
        ({"households": list(range(1, 102))}, "households", "最多选择 100 项，现为 101 项。"),
        ({"village": 999999}, "village", "无效主键 “999999”"),
        ({"village": "东河村"}, "village", "类型错误"),
        ({"village": None}, "village", "不能为 null"),
    ],
)
def test_bad_input_is_a_chinese_400_and_nothing_is_stored(world, payload, field, message):
    data = {"village": world.v1.pk, "situation": "走访", **payload}
    if data["village"] == "V900":
        data["village"] = world.v_other.pk
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message in str(body["errors"].get(field, body["detail"])), body
    assert Diary.objects.count() == 0


def test_reporter_reads_but_cannot_write(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1)
    client = api_client(world.reporter_user)
    assert client.get(f"/api/v1/diaries/{diary.pk}/").status_code == 200
    response = client.post("/api/v1/diaries/", {"village": world.v1.pk, "situation": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有在岗干部本人可以写民情日记。"
    assert client.patch(f"/api/v1/diaries/{diary.pk}/", {"situation": "改"}, format="json").status_code == 403
    assert Diary.objects.count() == 1


def test_out_of_scope_diary_is_404_for_read_and_write(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, situation="原文")
    for who in ("cadre2", "village1", "outsider"):
        client = api_client(world.users[who])
        assert client.get(f"/api/v1/diaries/{diary.pk}/").status_code == 404
        assert client.patch(f"/api/v1/diaries/{diary.pk}/", {"situation": "改"}, format="json").status_code == 404
    diary.refresh_from_db()
    assert diary.situation == "原文"


def test_author_updates_and_superior_is_refused(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, situation="原文")
    response = api_client(world.cadre1.user).patch(f"/api/v1/diaries/{diary.pk}/", {"problems": "新问题"}, format="json")
    assert response.status_code == 200 and response.json()["problems"] == "新问题"
    assert response.json()["situation"] == "原文"
    refused = api_client(world.unit_head.user).patch(f"/api/v1/diaries/{diary.pk}/", {"situation": "改"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有作者本人可以修改日记。"
    diary.refresh_from_db()
    assert (diary.situation, diary.problems) == ("原文", "新问题")


def test_filters_start_end_village_author(world):
    today = timezone.localdate()
    a = f.DiaryFactory(author=world.cadre1, village=world.v1, date=today - dt.timedelta(days=10))
    b = f.DiaryFactory(author=world.cadre1, village=world.v2, date=today - dt.timedelta(days=5))
    c = f.DiaryFactory(author=world.cadre2, village=world.v2, date=today)
    client = api_client(world.secretary.user)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in results(client.get(f"/api/v1/diaries/?{query}"))]

    assert ids("") == [c.pk, b.pk, a.pk]
    start, end = (today - dt.timedelta(days=10)).isoformat(), (today - dt.timedelta(days=5)).isoformat()
    assert ids(f"start={start}&end={end}") == [b.pk, a.pk]  # both ends inclusive
    assert ids(f"village={world.v2.pk}") == [c.pk, b.pk]
    assert ids(f"author={world.cadre1.pk}") == [b.pk, a.pk]
    assert set(client.get("/api/v1/diaries/").json()) == {"next", "previous", "results"}


@pytest.mark.parametrize("query", ["start=2026-13-01", "end=yesterday", "village=abc", "author=x"])
def test_malformed_filters_are_a_chinese_400(world, query):
    response = api_client(world.secretary.user).get(f"/api/v1/diaries/?{query}")
    assert response.status_code == 400
    assert any(word in response.json()["detail"] for word in ("有效的日期", "数字")), response.json()


def test_cadre_lists_only_own_diaries(world):
    mine = f.DiaryFactory(author=world.cadre1, village=world.v1)
    f.DiaryFactory(author=world.cadre2, village=world.v1)
    response = api_client(world.cadre1.user).get("/api/v1/diaries/")
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_count_is_constant(world, rows):
    start = timezone.localdate() - dt.timedelta(days=rows)
    for i in range(rows):
        diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=start + dt.timedelta(days=i))
        diary.households.set([world.h1])
    client = api_client(world.secretary.user)
    # PostgreSQL reads the households in the page's own query (an ARRAY column); SQLite afterwards.
    with assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        response = client.get("/api/v1/diaries/")
    assert len(response.json()["results"]) == rows


def test_the_fast_representation_equals_drfs_field_by_field_one(world):
    # given diaries with and without households, in both languages
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, problems="路灯坏了", ideas="建议")
    diary.households.set([world.h1])
    bare = f.DiaryFactory(author=world.cadre1, village=world.v1, date=diary.date - dt.timedelta(days=1))
    client = api_client(world.secretary.user)
    for language in ("zh-hans", "en"):
        rows = client.get("/api/v1/diaries/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        by_id = {row["id"]: row for row in rows}
        for obj in (diary, bare):
            with translation.override(language):
                generic = DiarySerializer().generic_representation(Diary.objects.get(pk=obj.pk))
            # then the list's rows are exactly what DRF's declared fields give
            assert by_id[obj.pk] == json.loads(json.dumps(generic, cls=DjangoJSONEncoder))
    assert by_id[diary.pk]["households"] == [world.h1.pk]
    assert by_id[diary.pk]["category_display"] != ""


def test_households_of_another_village_are_refused_by_id_only(world):
    # given the diary is about 东河村 but lists 李四 of 光明路村 (and 张三 of 东河村)
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", {
        "village": world.v1.pk, "households": [world.h1.pk, world.h2.pk], "situation": "走访",
    }, format="json")
    # then nothing is written and the message gives the id, never the name
    assert response.status_code == 400
    assert response.json()["errors"]["households"] == [f"以下农户不存在或不属于所选村：{world.h2.pk}。"]
    assert Diary.objects.count() == 0


def test_an_inactive_household_is_refused_by_id_only(world):
    # given 张三 of 东河村 no longer counts as a household
    world.h1.is_active = False
    world.h1.save()
    response = api_client(world.cadre1.user).post("/api/v1/diaries/", {
        "village": world.v1.pk, "households": [world.h1.pk], "situation": "走访",
    }, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["households"] == [f"以下农户不存在或不属于所选村：{world.h1.pk}。"]


def test_the_input_reads_the_village_whole_with_the_households(world):
    # given two inputs validated one after the other, for two villages (the fields are shared copies)
    from django.forms.models import model_to_dict

    from cadres.models import Village
    from supervision.api.serializers.diaries import DiaryInputSerializer

    other = f.HouseholdFactory(village=world.v1)
    first = DiaryInputSerializer(data={"village": world.v1.pk, "households": [other.pk, world.h1.pk, other.pk],
                                       "situation": "走访"})
    second = DiaryInputSerializer(data={"village": str(world.v2.pk), "households": [world.h2.pk], "situation": "走访"})
    assert first.is_valid(), first.errors
    assert second.is_valid(), second.errors
    # then each has its own village's households, in the order sent, without duplicates, and the
    # village as a full read gives it (no query needed for it)
    for data, village, households in ((first, world.v1, [other, world.h1]), (second, world.v2, [world.h2])):
        values = data.validated_data
        assert [(h.pk, h.village_id, h.is_active) for h in values["households"]] == [
            (h.pk, h.village_id, True) for h in households]
        stored = model_to_dict(Village.objects.get(pk=village.pk))
        with assert_num_queries(0):
            assert model_to_dict(values["village"]) == stored
            assert all(h.village is values["village"] for h in values["households"])


def test_the_history_row_is_simple_historys_own(world):
    # given a diary, recorded once by the project's records and once by simple-history's own method
    from simple_history.models import HistoricalRecords

    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, problems="路灯坏了")
    diary.households.set([world.h1])
    records = Diary._historical_records  # type: ignore[attr-defined]
    records.create_historical_record(diary, "~")
    HistoricalRecords.create_historical_record(records, diary, "~")
    # then the two versions hold the same values and the same household links
    theirs, ours = diary.history.order_by("-history_id")[:2]
    skip = {"history_id", "history_date"}
    names = [f.attname for f in type(ours)._meta.concrete_fields if f.attname not in skip]
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
    assert [h.household_id for h in ours.households.all()] == [h.household_id for h in theirs.households.all()]
