"""The diary's household picker on a phone: my contact households as chips, then a search in the
chosen village (static/js/diary.js against /diaries/households/)."""

from __future__ import annotations

import pytest

from supervision.models import Diary
from tests import factories as f
from tests.e2e.conftest import PHONE, goto, has_horizontal_scroll, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cadre_ticks_a_contact_and_finds_another_household_of_the_village(world, new_page):
    # given 东河村 has 王七 besides cadre1's contact 张三, and 光明路村 (not cadre1's) has 王八
    wang = f.HouseholdFactory(village=world.v1, head_name="王七")
    f.HouseholdFactory(village=world.v2, head_name="王八")
    page = signed_in(new_page, PHONE, "cadre1")
    goto(page, "/diaries/new/")
    page.get_by_role("textbox", name="民情").fill("走访两户。")

    # when cadre1 taps the contact chip and searches the village for 王
    page.get_by_role("checkbox", name="东河村 · 张三").tap()
    assert not page.locator("select[name=households]").is_visible()  # the long list gave way to the search
    page.get_by_label("在所选村中查找其他农户").fill("王")
    result = page.get_by_role("button", name="东河村 · 王七")
    result.tap()

    # then only the chosen village's household was offered, and both are saved with the diary
    assert page.get_by_role("button", name="光明路村 · 王八").count() == 0
    assert page.get_by_role("checkbox", name="东河村 · 王七").is_checked()
    assert not has_horizontal_scroll(page)
    with page.expect_navigation():
        page.get_by_role("button", name="保存日记").tap()
    diary = Diary.objects.get(author=world.cadre1)
    assert set(diary.households.values_list("pk", flat=True)) == {world.h1.pk, wang.pk}
    assert page.problems.csp_refusals == [] and page.problems.page_errors == []
