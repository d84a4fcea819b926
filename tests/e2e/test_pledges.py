"""A target-responsibility pledge (目标管理责任书) signed level by level in the browser: the cadre signs
on a phone, the unit head countersigns, the cadre reports a quarter's progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import Pledge
from supervision.services.pledges import pledge_issue_from_template
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, wait_for_path
from tests.factories import pledge_template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRESS = "已完成东河村三组 12 户走访，建立问题清单 5 条。"


def status_of(page: Any) -> str:
    return page.locator("section.card dd .status").inner_text()


def press_and_confirm(page: Any, button: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_cadre_signs_unit_head_countersigns_and_progress_is_reported(world, new_page):
    # given the office issued cadre1's pledge to the agricultural centre for this year
    year = timezone.localdate().year
    template = pledge_template(world.township, level="staff", year=year)
    (pledge,) = pledge_issue_from_template(template=template, pledgers=[world.cadre1], actor=actor_for(world.office.user))

    # when cadre1 opens it from the pledge list on their phone and signs, confirming the dialog
    cadre1 = new_page(PHONE)
    login(cadre1, "cadre1")
    goto(cadre1, "/pledges/")
    cadre1.get_by_role("link", name="干部甲").first.tap()
    wait_for_path(cadre1, rf"/pledges/{pledge.pk}/")
    assert status_of(cadre1) == "已下达"
    assert cadre1.get_by_role("button", name="会签").count() == 0  # not cadre1's to countersign
    press_and_confirm(cadre1, "签署责任书")

    # then it waits for the unit head
    assert cadre1.get_by_role("status").inner_text() == "已签署责任书，等待会签。"
    assert status_of(cadre1) == "责任方已签"
    assert not has_horizontal_scroll(cadre1)

    # when the unit head follows the notification and countersigns
    head = new_page(DESKTOP)
    login(head, "unithead")
    goto(head, "/notifications/")
    head.locator("ul.list > li").filter(has_text="请会签责任书").get_by_role("link", name="查看").click()
    wait_for_path(head, rf"/pledges/{pledge.pk}/")
    press_and_confirm(head, "会签")

    # then the pledge is in force
    assert head.get_by_role("status").inner_text() == "已会签，责任书生效。"
    assert status_of(head) == "已会签（生效）"
    pledge.refresh_from_db()
    assert (pledge.status, pledge.signed_by, pledge.countersigned_by) == (
        Pledge.Status.COUNTERSIGNED, world.cadre1, world.unit_head,
    )

    # when cadre1 reports the first quarter's progress on the first target
    goto(cadre1, f"/pledges/{pledge.pk}/")
    cadre1.get_by_role("combobox", name="目标", exact=True).select_option(label="基础目标1")
    cadre1.get_by_role("combobox", name="季度", exact=True).select_option(label="第一季度")
    cadre1.get_by_role("textbox", name="进展情况").fill(PROGRESS)
    with cadre1.expect_navigation():
        cadre1.get_by_role("button", name="保存进展").tap()

    # then it shows in the targets table
    assert cadre1.get_by_role("status").inner_text() == "季度进展已保存。"
    assert PROGRESS in cadre1.get_by_role("row").filter(has_text="基础目标1").inner_text()
    assert not has_horizontal_scroll(cadre1)
