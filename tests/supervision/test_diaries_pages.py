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
    assert '<optgroup label="我的联系户">' in form and "东河村 · 张三" in form
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


def test_raise_matter_from_diary_in_one_step(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="路面塌陷")
    response = page_client(world.cadre1.user).post(f"/diaries/{diary.pk}/raise-matter/")
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.pk}/"
    assert (matter.source, matter.diary, matter.village, matter.category, matter.description, matter.raised_by) == (
        "diary", diary, world.v1, "infrastructure", "路面塌陷", world.cadre1)


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
