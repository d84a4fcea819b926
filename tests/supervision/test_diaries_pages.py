"""Diary pages: writing on a phone, the feed, one diary with its actions; query counts pinned."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from cadres.models import CalendarDay
from supervision.models import AgendaItem, Diary, DiaryComment, Matter
from supervision.search import index_diaries
from tests import factories as f
from tests.helpers import assert_num_queries, page_client


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    return timezone.localdate()


def form_data(world, **overrides):  # type: ignore[no-untyped-def]
    data = {"date": timezone.localdate().isoformat(), "village": world.v1.pk, "category": "livelihood",
            "situation": "走访张三家，了解取暖情况", "problems": "", "ideas": "", "place": "", "people_met": ""}
    data.update(overrides)
    return data


def test_new_diary_form_has_at_most_five_required_inputs_with_defaults(world, today):
    html = page_client(world.cadre1.user).get("/diaries/new/").content.decode()
    form = html[html.index('<form method="post" class="card diary-form"'):]
    form = form[:form.index("</form>")]
    required = re.findall(r"<(?:input|select|textarea)\b[^>]*\brequired\b[^>]*>", form)
    assert len(required) <= 5
    assert form.count('<span class="required"') == 4  # date, village, category (filled in) and the situation
    assert f'<option value="{today.isoformat()}" selected>' in form
    assert '<optgroup label="我包联的村">' in form and f'<option value="{world.v1.pk}" selected>' in form
    assert '<legend class="help">我的联系户</legend>' in form
    assert f'<input type="checkbox" name="households" value="{world.h1.pk}"> 东河村 · 张三' in form
    assert 'data-draft-key="diary-draft:' in form
    assert "js/diary.js" in html


def test_cadre_writes_todays_diary_and_is_told_it_was_saved(client, world, today):
    client.force_login(world.cadre1.user)
    response = client.post("/diaries/new/", form_data(world, households=[world.h1.pk]))
    diary = Diary.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/diaries/{diary.pk}/"
    assert (diary.author, diary.date, diary.on_time) == (world.cadre1, today, True)
    page = client.get(response["Location"]).content.decode()
    assert f"已保存 {today.month}月{today.day}日 的民情日记。" in page
    assert f'data-clear-draft="diary-draft:{world.cadre1.user.pk}:new"' in page


def test_failed_submit_keeps_what_was_typed_and_says_what_to_fix(client, world):
    client.force_login(world.cadre1.user)
    response = client.post("/diaries/new/", form_data(world, situation="", problems="路灯坏了三盏"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写民情。" in html and "路灯坏了三盏" in html
    assert "日记还没有保存" in html
    assert Diary.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "2026-02-30"}, "只能选择今天或可补写的漏写日期。"),
        ({"date": "2099-01-01"}, "只能选择今天或可补写的漏写日期。"),
        ({"village": "999999"}, "所选村不属于您所在的乡镇。"),
        ({"situation": "字" * 5001}, "5000"),
    ],
)
def test_bad_input_is_a_400_in_chinese_and_nothing_stored(world, overrides, message):
    overrides = {k: (world.v_other.pk if v == "999999" else v) for k, v in overrides.items()}
    response = page_client(world.cadre1.user).post("/diaries/new/", form_data(world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Diary.objects.count() == 0


def test_missed_day_is_offered_and_written_late(client, world, today):
    yesterday = today - dt.timedelta(days=1)
    CalendarDay.objects.create(township=world.township, date=yesterday, is_workday=True, name="工作日")
    client.force_login(world.cadre1.user)
    html = client.get(f"/diaries/new/?date={yesterday.isoformat()}").content.decode()
    assert f'<option value="{yesterday.isoformat()}" selected>' in html
    client.post("/diaries/new/", form_data(world, date=yesterday.isoformat()))
    assert Diary.objects.get().on_time is False


def test_new_page_edits_todays_diary_when_it_exists(client, world, today):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=today, situation="早上写的")
    client.force_login(world.cadre1.user)
    html = client.get("/diaries/new/").content.decode()
    assert "早上写的" in html and 'name="date"' not in html
    response = client.post("/diaries/new/", form_data(world, situation="下午补充"))
    assert response.status_code == 302
    diary.refresh_from_db()
    assert diary.situation == "下午补充" and Diary.objects.count() == 1


def test_reporter_cannot_write(world):
    response = page_client(world.reporter_user).get("/diaries/new/")
    assert response.status_code == 403
    assert "只有在岗干部本人可以写民情日记。" in response.content.decode()


def test_only_the_author_opens_the_edit_page(client, world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1)
    client.force_login(world.secretary.user)
    assert client.get(f"/diaries/{diary.pk}/edit/").status_code == 403
    client.force_login(world.cadre2.user)
    assert client.get(f"/diaries/{diary.pk}/edit/").status_code == 404
    assert client.post(f"/diaries/{diary.pk}/edit/", form_data(world, situation="篡改")).status_code == 404
    diary.refresh_from_db()
    assert diary.situation != "篡改"


def test_out_of_scope_diary_is_404_for_every_page_and_action(client, world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, ideas="建议")
    client.force_login(world.cadre2.user)
    assert client.get(f"/diaries/{diary.pk}/").status_code == 404
    for action in ("comment", "adopt", "raise-matter"):
        assert client.post(f"/diaries/{diary.pk}/{action}/", {"text": "x"}).status_code == 404
    assert (DiaryComment.objects.count(), AgendaItem.objects.count(), Matter.objects.count()) == (0, 0, 0)


def test_leader_comments_adopts_and_records_decision_on_the_page(client, world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, ideas="建议修路", problems="路面塌陷")
    client.force_login(world.secretary.user)
    page = client.get(f"/diaries/{diary.pk}/").content.decode()
    assert "批示" in page and "采纳建议" in page and "转为台账" in page
    assert client.post(f"/diaries/{diary.pk}/comment/", {"text": "请尽快处理"}).status_code == 302
    assert client.post(f"/diaries/{diary.pk}/adopt/", {"title": ""}).status_code == 302
    item = AgendaItem.objects.get()
    response = client.post(f"/diaries/agenda/{item.pk}/decide/", {"decision": "同意实施", "meeting_date": ""})
    assert response.status_code == 302
    page = client.get(f"/diaries/{diary.pk}/").content.decode()
    assert "请尽快处理" in page and "同意实施" in page and "建议修路" in page


def test_author_sees_no_leader_forms_and_cannot_post_them(client, world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, ideas="建议")
    client.force_login(world.cadre1.user)
    page = client.get(f"/diaries/{diary.pk}/").content.decode()
    assert f"/diaries/{diary.pk}/comment/" not in page and f"/diaries/{diary.pk}/adopt/" not in page
    assert client.post(f"/diaries/{diary.pk}/comment/", {"text": "自批"}).status_code == 403
    assert client.post(f"/diaries/{diary.pk}/adopt/", {}).status_code == 403
    assert (DiaryComment.objects.count(), AgendaItem.objects.count()) == (0, 0)


def test_raise_matter_opens_a_form_prefilled_from_the_diary(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="路面塌陷")
    diary.households.add(world.h1)

    response = page_client(world.cadre1.user).get(f"/diaries/{diary.pk}/raise-matter/")

    page = response.content.decode()
    assert response.status_code == 200 and Matter.objects.count() == 0  # opening the form registers nothing
    assert '<option value="infrastructure" selected>' in page
    assert "路面塌陷</textarea>" in page
    assert f'<option value="{world.h1.pk}" selected>东河村 · 张三</option>' in page


def test_raise_matter_saves_what_the_cadre_edited(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="路面塌陷")
    diary.households.add(world.h1)

    response = page_client(world.cadre1.user).post(
        f"/diaries/{diary.pk}/raise-matter/",
        {"category": "livelihood", "description": "三组路面塌陷，老人出行不便", "household": world.h1.pk})

    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.pk}/"
    assert (matter.source, matter.diary, matter.village, matter.category, matter.description, matter.household,
            matter.raised_by) == ("diary", diary, world.v1, "livelihood", "三组路面塌陷，老人出行不便", world.h1,
                                  world.cadre1)


def test_raise_matter_refuses_an_empty_text_and_a_household_the_diary_did_not_visit(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, problems="路面塌陷")
    client = page_client(world.cadre1.user)

    empty = client.post(f"/diaries/{diary.pk}/raise-matter/", {"category": "livelihood", "description": "  "})
    other = client.post(f"/diaries/{diary.pk}/raise-matter/",
                        {"category": "livelihood", "description": "x", "household": world.h2.pk})

    assert empty.status_code == 400 and "请填写问题描述。" in empty.content.decode()
    assert other.status_code == 400 and "请选择这篇日记走访的农户。" in other.content.decode()
    assert Matter.objects.count() == 0


def test_raise_matter_form_is_404_outside_the_scope_and_403_for_a_reader(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, problems="路面塌陷")
    assert page_client(world.cadre2.user).get(f"/diaries/{diary.pk}/raise-matter/").status_code == 404
    assert page_client(world.reporter_user).get(f"/diaries/{diary.pk}/raise-matter/").status_code in (403, 404)
    assert Matter.objects.count() == 0


def test_diary_filters_offer_only_the_villages_and_units_the_viewer_may_see(world):
    f.DiaryFactory(author=world.cadre1, village=world.v1)
    f.DiaryFactory(author=world.cadre3, village=world.v3)

    cadre_page = page_client(world.cadre1.user).get("/diaries/").content.decode()
    office_page = page_client(world.office.user).get("/diaries/?view=feed").content.decode()

    def options(page, name):  # type: ignore[no-untyped-def]
        select = page[page.index(f'name="{name}"'):]
        return re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select[:select.index("</select>")])

    assert options(cadre_page, "village") == ["东河村"] and options(cadre_page, "unit") == ["农业服务中心"]
    assert options(office_page, "village") == ["东河村", "南沟村"]
    assert options(office_page, "unit") == ["农业服务中心", "财政所"]
    # a village outside the list is refused by the filter, not shown
    response = page_client(world.cadre1.user).get(f"/diaries/?village={world.v3.pk}")
    assert response.status_code == 200 and "东河村" not in response.content.decode().split("</form>")[-1]


def test_matter_filter_offers_only_the_villages_of_visible_matters(world):
    f.MatterFactory(village=world.v1, raised_by=world.cadre1)
    f.MatterFactory(village=world.v3)

    page = page_client(world.cadre1.user).get("/matters/").content.decode()

    select = page[page.index('name="village"'):]
    select = select[:select.index("</select>")]
    assert "东河村" in select and "南沟村" not in select and "光明路村" not in select


def test_cadre_sees_only_own_diaries_and_leader_the_feed_with_filters(client, world, today):
    f.DiaryFactory(author=world.cadre1, village=world.v1, situation="甲的日记")
    f.DiaryFactory(author=world.cadre2, village=world.v2, situation="乙的日记提到温室")
    mine = page_client(world.cadre1.user).get("/diaries/").content.decode()
    assert "甲的日记" in mine and "乙的日记" not in mine
    client.force_login(world.secretary.user)
    feed = client.get("/diaries/").content.decode()
    assert "甲的日记" in feed and "乙的日记" in feed
    assert "甲的日记" not in client.get(f"/diaries/?village={world.v2.pk}").content.decode()
    index_diaries(Diary.objects.values_list("pk", flat=True))  # factories write past the services
    searched = client.get("/diaries/?q=温室").content.decode()
    assert "乙的日记提到<mark>温室</mark>" in searched and "甲的日记" not in searched
    assert "甲的日记" not in client.get(f"/diaries/?unit={world.unit2.pk}").content.decode()
    bad = client.get("/diaries/?start=2026-13-01")
    assert bad.status_code == 200 and "输入一个有效的日期。" in bad.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_feed_page_query_count_is_constant(client, world, rows):
    start = timezone.localdate() - dt.timedelta(days=rows)
    for i in range(rows):
        author = world.cadre1 if i % 2 == 0 else world.cadre2
        f.DiaryFactory(author=author, village=world.v1, date=start + dt.timedelta(days=i))
    client.force_login(world.secretary.user)
    client.get("/diaries/")  # warm the session
    with assert_num_queries(10):
        response = client.get("/diaries/")
    assert response.status_code == 200


def test_household_picker_offers_my_contact_households_first_as_chips(world):
    other = f.HouseholdFactory(village=world.v1, head_name="王七")

    html = page_client(world.cadre1.user).get("/diaries/new/").content.decode()

    picker = html[html.index("data-household-picker"):]
    picker = picker[:picker.index("</select>")]
    chip = f'<input type="checkbox" name="households" value="{world.h1.pk}">'
    assert picker.index(chip) < picker.index('<select name="households"')  # contacts first, as tap targets
    assert f'<option value="{other.pk}">东河村 · 王七</option>' in picker  # the rest without a script
    assert f'value="{world.h2.pk}"' not in picker  # another cadre's village is not offered
    assert 'data-search-url="/diaries/households/"' in picker


def test_household_search_is_limited_to_the_chosen_village_and_the_cadres_scope(world):
    f.HouseholdFactory(village=world.v1, head_name="张四")
    f.HouseholdFactory(village=world.v1, head_name="王七")
    f.HouseholdFactory(village=world.v2, head_name="张八")  # cadre2's village
    client = page_client(world.cadre1.user)

    in_mine = client.get("/diaries/households/", {"village": world.v1.pk, "q": "张"}).json()["results"]
    in_other = client.get("/diaries/households/", {"village": world.v2.pk, "q": "张"}).json()["results"]
    elsewhere = client.get("/diaries/households/", {"village": world.v_other.pk, "q": ""}).json()["results"]

    assert [row["label"] for row in in_mine] == ["东河村 · 张三", "东河村 · 张四"]
    assert in_other == [] and elsewhere == []


def test_household_search_refuses_bad_input_and_readers(world):
    client = page_client(world.cadre1.user)
    assert client.get("/diaries/households/", {"village": "x"}).status_code == 400
    assert page_client(world.reporter_user).get("/diaries/households/", {"village": world.v1.pk}).status_code == 404


def test_household_search_costs_the_same_for_one_and_many_households(world):
    client = page_client(world.cadre1.user)
    client.get("/diaries/households/", {"village": world.v1.pk, "q": "户"})  # the actor cache warmed

    def grow() -> None:
        for n in range(30):
            f.HouseholdFactory(village=world.v1, head_name=f"户主{n}")

    from tests.helpers import assert_same_queries
    _first, then = assert_same_queries(
        lambda: client.get("/diaries/households/", {"village": world.v1.pk, "q": "户"}), grow, warm=True)
    assert len(then.json()["results"]) == 20


def test_a_household_of_another_village_is_refused_when_saving(world):
    response = page_client(world.cadre1.user).post("/diaries/new/", form_data(world, households=[world.h2.pk]))

    assert response.status_code == 400 and "所选农户不在可选范围内。" in response.content.decode()
    assert Diary.objects.count() == 0
