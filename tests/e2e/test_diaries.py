"""Writing the day's people's-condition diary (民情日记) on a phone, as a cadre in a village would."""

from __future__ import annotations

import pytest
from django.utils import timezone

from supervision.models import Diary
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    goto,
    has_horizontal_scroll,
    login,
    open_menu_if_collapsed,
    wait_for_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITUATION = "走访东河村三组，张三家日光温室卷帘机坏了，影响早春茬。"
PROBLEMS = "三组路灯坏了三盏，群众夜间出行不便。"
IDEAS = "建议把路灯维修纳入村级小额项目，当月解决。"


def open_diary_form(page) -> None:
    """From the dashboard, the way a cadre gets there: menu → 民情日记 → 写今天的日记."""
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="民情日记").click()
    wait_for_path(page, r"/diaries/")
    page.get_by_role("link", name="写今天的日记").click()
    wait_for_path(page, r"/diaries/new/")


def situation(page):
    return page.get_by_role("textbox", name="民情")


def problems(page):
    return page.get_by_role("textbox", name="新问题")


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_cadre_writes_todays_diary(world, new_page, device):
    # given cadre1 on their phone, with nothing written today
    page = new_page(device)
    login(page, "cadre1")
    open_diary_form(page)
    assert not has_horizontal_scroll(page)

    # the form starts on today and on cadre1's village
    today = timezone.localdate()
    assert page.get_by_label("日期").input_value() == today.isoformat()
    assert page.get_by_label("走访村").locator("option:checked").inner_text() == "东河村"

    # when they write what they saw and save
    situation(page).fill(SITUATION)
    problems(page).fill(PROBLEMS)
    page.get_by_role("textbox", name="新思路").fill(IDEAS)
    page.get_by_role("button", name="保存日记").click()

    # then the diary page confirms it in Chinese and shows what was written
    wait_for_path(page, r"/diaries/\d+/")
    assert page.get_by_role("status").inner_text() == f"已保存 {today.month}月{today.day}日 的民情日记。"
    assert SITUATION in page.locator("article").inner_text()
    assert not has_horizontal_scroll(page)
    diary = Diary.objects.get(author=world.cadre1)
    assert (diary.date, diary.village, diary.situation, diary.problems, diary.ideas) == (
        today, world.v1, SITUATION, PROBLEMS, IDEAS,
    )

    # and opening 写今天的日记 again edits the same diary instead of starting a second one
    goto(page, "/diaries/new/")
    assert situation(page).input_value() == SITUATION
    assert Diary.objects.filter(author=world.cadre1).count() == 1


def test_a_refused_diary_keeps_everything_that_was_typed(world, page_phone):
    # given cadre1 who typed the problems and ideas but only blanks as the situation
    login(page_phone, "cadre1")
    open_diary_form(page_phone)
    situation(page_phone).fill("   ")
    problems(page_phone).fill(PROBLEMS)
    page_phone.get_by_role("textbox", name="新思路").fill(IDEAS)

    # when they save
    with page_phone.expect_navigation():
        page_phone.get_by_role("button", name="保存日记").tap()

    # then the page says why in Chinese, points at the field, and nothing typed is lost
    alerts = page_phone.get_by_role("alert").all_inner_texts()
    assert "日记还没有保存，请按提示修改后再提交。您填写的内容都还在。" in alerts
    assert "请填写民情。" in alerts
    assert situation(page_phone).get_attribute("aria-invalid") == "true"
    assert problems(page_phone).input_value() == PROBLEMS
    assert page_phone.get_by_role("textbox", name="新思路").input_value() == IDEAS
    assert not has_horizontal_scroll(page_phone)
    assert Diary.objects.count() == 0


def test_a_diary_lost_to_a_dropped_connection_comes_back_as_a_draft(world, page_phone):
    # given cadre1 writing in a village with a connection that drops as they save
    login(page_phone, "cadre1")
    open_diary_form(page_phone)
    situation(page_phone).fill(SITUATION)
    problems(page_phone).fill(PROBLEMS)

    # (the phone still believes it is online, so the form posts; offline it would go to the outbox,
    # tests/e2e/test_offline.py)
    def drop(route):  # type: ignore[no-untyped-def]
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page_phone.route("**/diaries/new/", drop)
    with page_phone.expect_event("requestfailed") as failed:
        page_phone.get_by_role("button", name="保存日记").tap()
    assert failed.value.method == "POST"
    page_phone.unroute("**/diaries/new/", drop)
    assert Diary.objects.count() == 0

    # when they open the form again once the signal is back
    goto(page_phone, "/diaries/new/")

    # then the draft is restored, said so, and can be saved
    assert page_phone.get_by_text("已恢复上次未保存的草稿。").is_visible()
    assert situation(page_phone).input_value() == SITUATION
    assert problems(page_phone).input_value() == PROBLEMS
    page_phone.get_by_role("button", name="保存日记").tap()
    wait_for_path(page_phone, r"/diaries/\d+/")
    assert Diary.objects.get(author=world.cadre1).situation == SITUATION

    # and the saved diary's draft is gone: the form now edits the diary, with no draft notice
    goto(page_phone, "/diaries/new/")
    assert not page_phone.get_by_text("已恢复上次未保存的草稿。").is_visible()


def test_the_secretary_comments_on_a_diary_and_adopts_its_idea(world, new_page):
    # given cadre1's diary of today with an idea in it
    from cadres.roles import actor_for
    from supervision.services.diaries import diary_create

    diary = diary_create(actor=actor_for(world.cadre1.user), village=world.v1, situation=SITUATION,
                         problems=PROBLEMS, ideas=IDEAS)

    # when the party secretary finds it in the diary feed and comments on it
    secretary = new_page(DESKTOP)
    login(secretary, "secretary")
    goto(secretary, "/diaries/")
    secretary.get_by_role("link", name=f"{diary.date.year}年{diary.date.month}月{diary.date.day}日").click()
    wait_for_path(secretary, rf"/diaries/{diary.pk}/")
    secretary.get_by_role("textbox", name="批示内容").fill("情况属实，请农业服务中心跟进。")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="批示", exact=True).click()
    assert secretary.get_by_role("status").inner_text() == "批示已发送，作者会收到通知。"

    # and adopts the idea for the party committee's agenda
    secretary.get_by_role("textbox", name="议题名称").fill("路灯维修纳入村级小额项目")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="采纳建议，列入党委议题").click()
    assert secretary.get_by_role("status").inner_text() == "建议已采纳，列入党委议题。"
    assert "路灯维修纳入村级小额项目" in secretary.get_by_role("region", name="建议与决策").inner_text()

    # then cadre1 is told on their phone and reads the comment on the diary
    cadre1 = new_page(PHONE)
    login(cadre1, "cadre1")
    assert int(cadre1.locator(".usermenu .badge").inner_text()) >= 1
    goto(cadre1, f"/diaries/{diary.pk}/")
    comments = cadre1.get_by_role("region", name="领导批示").inner_text()
    assert "情况属实，请农业服务中心跟进。" in comments
    assert not has_horizontal_scroll(cadre1)

    # and another cadre of the same unit cannot open it at all
    cadre2 = new_page(PHONE)
    login(cadre2, "cadre2")
    assert goto(cadre2, f"/diaries/{diary.pk}/").status == 404
