"""A problem found on a visit, followed to the end in the browser, each step by the role that does it:
diary → 登记 (the cadre) → 交办 (the office) → 办理中 → 已办结 (the assignee) → 已回访 (the cadre who
raised it) → 销号 (the office)."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Notification
from supervision.models import Diary, Matter
from supervision.notifications import NotificationKind
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, signed_in, submit, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBLEMS = "三组路灯坏了三盏，群众夜间出行不便。"
RESOLUTION = "已更换三组路灯三盏，经测试全部正常。"


def status_of(page: Any) -> str:
    return page.locator("article .status").inner_text()


def test_a_matter_from_a_diary_is_followed_to_closure_by_each_role(world, new_page):
    # given cadre1 wrote today's diary with a problem in it, on their phone
    cadre1 = signed_in(new_page, PHONE, "cadre1")
    goto(cadre1, "/diaries/new/")
    cadre1.get_by_role("textbox", name="民情").fill("走访三组。")
    cadre1.get_by_role("textbox", name="新问题").fill(PROBLEMS)
    submit(cadre1, "保存日记")
    diary = Diary.objects.get(author=world.cadre1)

    # when cadre1 turns the problem into a matter from the diary page: a form filled from the diary
    cadre1.get_by_role("link", name="把发现的问题转为台账").tap()
    wait_for_path(cadre1, r"/diaries/\d+/raise-matter/")
    assert cadre1.get_by_label("问题描述").input_value() == PROBLEMS
    assert not has_horizontal_scroll(cadre1)
    submit(cadre1, "登记")

    # then it is registered with the diary's village and text
    wait_for_path(cadre1, r"/matters/\d+/")
    matter = Matter.objects.get(diary=diary)
    assert cadre1.get_by_role("status").inner_text() == "已转为问题台账，等待交办。"
    assert status_of(cadre1) == "登记"
    assert (matter.village, matter.description) == (world.v1, PROBLEMS)
    assert not has_horizontal_scroll(cadre1)
    # cadre1 may not assign it
    assert cadre1.get_by_role("button", name="交办").count() == 0

    # when the office assigns it to the agricultural centre's cadre2, from a desktop
    office = signed_in(new_page, DESKTOP, "office")
    goto(office, f"/matters/{matter.pk}/")
    office.get_by_label("承办单位").select_option(label="农业服务中心")
    office.get_by_label("承办人").select_option(label="干部乙（农业服务中心）")
    submit(office, "交办")
    assert status_of(office) == "交办"

    # then cadre2 is told, and finds it from the notification
    cadre2 = signed_in(new_page, PHONE, "cadre2")
    assert Notification.objects.filter(recipient=world.cadre2.user, kind=NotificationKind.MATTER_ASSIGNED).count() == 1
    assert cadre2.locator(".usermenu .badge").inner_text() == "1"
    goto(cadre2, "/notifications/")
    cadre2.locator("ul.list > li").first.get_by_role("link", name="查看").tap()
    wait_for_path(cadre2, rf"/matters/{matter.pk}/")

    # when cadre2 starts and resolves it
    submit(cadre2, "开始办理")
    assert status_of(cadre2) == "办理中"
    cadre2.get_by_role("textbox", name="办理结果").fill(RESOLUTION)
    submit(cadre2, "办结")
    assert status_of(cadre2) == "已办结"
    assert RESOLUTION in cadre2.locator("article").inner_text()

    # when cadre1, who raised it, records the villagers' satisfaction
    goto(cadre1, f"/matters/{matter.pk}/")
    cadre1.get_by_label("满意", exact=True).check()
    submit(cadre1, "记录回访")
    assert status_of(cadre1) == "已回访"

    # when the office closes it, confirming the dialog
    goto(office, f"/matters/{matter.pk}/")
    office.once("dialog", lambda dialog: dialog.accept())
    submit(office, "销号")

    # then it is closed, with every step in its record
    assert status_of(office) == "销号"
    matter.refresh_from_db()
    assert matter.status == Matter.Status.CLOSED
    assert office.locator("ol.timeline > li").count() == 6


def test_a_cadre_of_another_unit_cannot_open_the_matter(world, new_page):
    # given a registered matter in cadre1's village
    from cadres.roles import actor_for
    from supervision.services.matters import matter_create

    matter = matter_create(actor=actor_for(world.cadre1.user), village=world.v1, category="infrastructure",
                           description=PROBLEMS)

    # when cadre3 (another unit, another village) opens its address
    cadre3 = signed_in(new_page, PHONE, "cadre3")
    response = goto(cadre3, f"/matters/{matter.pk}/")

    # then it does not exist for them, and nothing changed
    assert response.status == 404
    assert PROBLEMS not in cadre3.content()
    matter.refresh_from_db()
    assert matter.status == Matter.Status.REGISTERED
