"""Village affairs made public (村务公开) in the browser: the village cadre posts on a phone, the
office reviews the quarter's check."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cadres.roles import SYSTEM
from supervision.models import Disclosure, DisclosureCheck
from supervision.quarters import current_quarter
from supervision.services.disclosures import disclosure_check_run
from tests.e2e.conftest import goto, has_horizontal_scroll, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = "一、村集体经济收入 12.6 万元；二、道路硬化工程完成验收；三、低保对象调整 2 户。"


def test_village_cadre_posts_a_disclosure_and_a_refused_one_keeps_the_text(world, page_phone):
    # given the village secretary of 东河村 on their phone
    page = page_phone
    login(page, "village1")
    goto(page, "/disclosures/new/")
    assert not has_horizontal_scroll(page)

    # when they fill in everything but the title and submit
    today = timezone.localdate()
    page.get_by_label("领域").select_option(label="村务")
    page.get_by_role("textbox", name="类别").fill("村务工作计划及落实情况")
    page.get_by_role("textbox", name="公开内容").fill(CONTENT)
    page.get_by_label("所属期间起").fill(current_quarter(today).start.isoformat())
    page.get_by_label("所属期间止").fill(today.isoformat())
    page.get_by_label("公开日期").fill(today.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="登记").tap()

    # then the title is asked for in Chinese, and the content is still there
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    assert "必填" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_role("textbox", name="公开内容").input_value() == CONTENT
    assert Disclosure.objects.count() == 0

    # when the title is added
    page.locator("#id_title").fill("东河村第三季度村务公开")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").tap()

    # then it is recorded for the village
    wait_for_path(page, r"/disclosures/\d+/")
    assert page.get_by_role("status").inner_text() == "公开事项已登记。"
    disclosure = Disclosure.objects.get()
    assert (disclosure.village, disclosure.title, disclosure.content) == (world.v1, "东河村第三季度村务公开", CONTENT)


def test_office_reviews_the_quarterly_disclosure_check(world, page_desktop):
    # given the job compiled last quarter's check for every village
    quarter = current_quarter(timezone.localdate()).previous()
    disclosure_check_run(year=quarter.year, quarter=quarter.quarter, township=world.township, actor=SYSTEM)
    check = DisclosureCheck.objects.get(village=world.v1, year=quarter.year, quarter=quarter.quarter)

    # when the office opens it from the checks list and approves it with a note
    page = page_desktop
    login(page, "office")
    goto(page, f"/disclosures/checks/?quarter={quarter.year}Q{quarter.quarter}")
    page.get_by_role("link", name="东河村").click()
    wait_for_path(page, rf"/disclosures/checks/{check.pk}/")
    page.get_by_role("textbox", name="审核意见").fill("缺项较多，限期整改。")
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()

    # then the check is reviewed, by the office, with the note
    assert page.get_by_role("status").inner_text() == "检查已审核。"
    assert "已审核" in page.locator("section.card").first.inner_text()
    check.refresh_from_db()
    assert (check.status, check.checker, check.notes) == (
        DisclosureCheck.Status.REVIEWED, world.office.user, "缺项较多，限期整改。",
    )
