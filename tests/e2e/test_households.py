"""A cadre's contact households (联系户) and their last visit, which comes from the diaries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.conftest import PHONE, goto, has_horizontal_scroll, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def household_card(page, head_name: str):  # type: ignore[no-untyped-def]
    return page.locator("ul.household-list > li").filter(has_text=head_name)


def test_a_visit_written_in_the_diary_shows_as_the_households_last_visit(world, new_page):
    # given cadre1, whose contact household 张三 has not been visited yet
    page = new_page(PHONE)
    login(page, "cadre1")
    goto(page, "/households/")
    assert page.locator("ul.household-list > li strong").all_inner_texts() == ["张三"]  # not cadre2's 李四
    assert "尚未走访" in household_card(page, "张三").inner_text()
    assert not has_horizontal_scroll(page)

    # when cadre1 writes today's diary about a visit to 张三
    goto(page, "/diaries/new/")
    page.get_by_role("textbox", name="民情").fill("到张三家了解温室卷帘机维修情况。")
    page.get_by_role("checkbox", name="东河村 · 张三").tap()  # a contact household is a chip
    with page.expect_navigation():
        page.get_by_role("button", name="保存日记").tap()

    # then the household list shows today as the last visit
    goto(page, "/households/")
    today = timezone.localdate()
    card = household_card(page, "张三").inner_text()
    assert f"{today.year}年{today.month}月{today.day}日" in card
    assert "尚未走访" not in card
