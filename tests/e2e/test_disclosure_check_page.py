"""The quarterly check of village affairs made public (村务公开季度检查) from the office's pages: the
office corrects one item the job could not see (a posting on the board, late) with a reason, and
starts a quarter's check from the disclosures page, following the job's progress to its result.
A quarter written wrongly is refused in Chinese and starts nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from cadres.roles import SYSTEM
from core.models import JobRun
from supervision.models import DisclosureCheck, DisclosureCheckItem
from supervision.quarters import current_quarter
from supervision.services.disclosures import disclosure_check_run
from tests.e2e.conftest import goto, has_horizontal_scroll, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "公开栏照片显示已于次月5日张贴，系统未登记，按逾期公开计。"
BAD_QUARTER = "2026Q7"
BAD_QUARTER_MESSAGE = "季度格式不正确：“2026Q7”。请写成年份加季度，例如 2026Q3（季度为 Q1 至 Q4）。"


def item_on_page(page: Any, item: DisclosureCheckItem) -> Any:
    """The list entry of one check item (found by its adjust form)."""
    return page.locator("ul.list > li").filter(
        has=page.locator(f"form[action='/disclosures/checks/items/{item.pk}/adjust/']"))


def office_in_the_admin(world: Any) -> None:
    """The office works in the admin too (seed_demo makes its log-in staff)."""
    world.office.user.is_staff = True
    world.office.user.save(update_fields=["is_staff"])


def test_office_adjusts_a_check_item_and_the_score_follows(world, page_desktop):
    # given last quarter's check compiled by the job: 东河村 posted nothing, every item is missing
    quarter = current_quarter(timezone.localdate()).previous()
    disclosure_check_run(year=quarter.year, quarter=quarter.quarter, township=world.township, actor=SYSTEM)
    check = DisclosureCheck.objects.get(village=world.v1, year=quarter.year, quarter=quarter.quarter)
    item = check.items.filter(result=DisclosureCheckItem.Result.MISSING).order_by("id").first()
    assert item is not None
    before = (check.score, check.late_count, check.missing_count)

    # when the office opens the village's check, unfolds 调整结果 under the item and marks it late
    # with the reason
    page = page_desktop
    login(page, "office")
    goto(page, f"/disclosures/checks/?quarter={quarter}")
    page.get_by_role("link", name="东河村").click()
    wait_for_path(page, rf"/disclosures/checks/{check.pk}/")
    entry = item_on_page(page, item)
    assert entry.locator(".cell").inner_text() == "未公开"
    assert not entry.get_by_label("调整理由").is_visible()  # folded until asked for
    entry.get_by_text("调整结果").click()
    entry.get_by_label("检查结果").select_option(label="逾期公开")
    entry.get_by_label("调整理由").fill(REASON)
    with page.expect_navigation():
        entry.get_by_role("button", name="保存调整").click()

    # then the item shows the new result, what the job had found, the reason and who changed it
    wait_for_path(page, rf"/disclosures/checks/{check.pk}/")
    assert page.get_by_role("status").inner_text() == "检查结果已调整。"
    entry = item_on_page(page, item)
    assert entry.locator(".cell").inner_text() == "逾期公开"
    assert f"党政办调整（原汇总结果：未公开）：{REASON}（office）" in entry.inner_text()

    # and the check's counts and score are recomputed
    item.refresh_from_db()
    check.refresh_from_db()
    assert (item.result, item.computed_result, item.adjusted, item.adjusted_by) == (
        DisclosureCheckItem.Result.LATE, DisclosureCheckItem.Result.MISSING, True, world.office.user)
    assert (check.late_count, check.missing_count) == (before[1] + 1, before[2] - 1)
    assert check.score > before[0]
    summary = page.locator("section.card").first.inner_text()
    assert f"逾期{check.late_count}项，缺项{check.missing_count}项" in summary
    assert page.locator("p.stat").inner_text() == f"{check.score.normalize():f}分"


def test_office_starts_the_quarterly_check_from_the_page_and_follows_it_to_the_result(world, page_desktop):
    # given the office, and no check yet for last quarter
    office_in_the_admin(world)
    quarter = current_quarter(timezone.localdate()).previous()
    assert not DisclosureCheck.objects.exists()

    # when they open the admin's run page and run last quarter (the disclosures page's 运行季度检查
    # leads to the office's own page, /disclosures/checks/run/: tests/e2e/test_job_pages.py)
    page = page_desktop
    login(page, "office")
    goto(page, "/admin/supervision/disclosurecheck/run/")
    page.get_by_label("季度（如 2026Q3）").fill(str(quarter))
    with page.expect_navigation():
        page.get_by_role("button", name="运行检查").click()

    # then the job's page shows it finished, at 100 %, with what it found
    job = JobRun.objects.get(name="disclosure_check")
    assert re.fullmatch(rf"job={job.pk}", page.url.split("?", 1)[1])
    progress = page.locator("fieldset.module").first
    assert "状态：已完成（100%）" in progress.inner_text()
    assert f"{quarter.label} 村务公开检查：1个乡镇、3个村" in progress.inner_text()
    assert page.get_by_role("link", name="刷新进度").count() == 0  # finished: nothing left to wait for
    assert (job.status, job.progress, job.started_by, job.params) == (
        JobRun.Status.SUCCEEDED, 100, world.office.user, {"quarter": str(quarter), "township": world.township.pk})

    # and the result lists one check per village of the office's township, none elsewhere
    page.get_by_role("link", name="查看检查结果").click()
    wait_for_path(page, "/admin/supervision/disclosurecheck/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert set(rows.locator("th.field-subject_name").all_inner_texts()) == {"东河村", "光明路村", "南沟村"}
    checks = DisclosureCheck.objects.filter(year=quarter.year, quarter=quarter.quarter)
    assert set(checks.values_list("village__name", flat=True)) == {"东河村", "光明路村", "南沟村"}
    assert not checks.filter(township=world.other_township).exists()

    # and the office's own page now shows the quarter's scores
    goto(page, f"/disclosures/?quarter={quarter}")
    scores = page.locator("section[aria-labelledby='gaps']").get_by_role("listitem")
    assert scores.count() == 3
    assert "分 · 缺项" in scores.filter(has_text="东河村").inner_text()


def test_a_malformed_quarter_is_refused_in_chinese_and_starts_nothing(world, page_desktop):
    # given the office on the page that runs a quarter's check
    office_in_the_admin(world)
    page = page_desktop
    login(page, "office")
    goto(page, "/admin/supervision/disclosurecheck/run/")

    # when they write a fifth-and-beyond quarter
    page.get_by_label("季度（如 2026Q3）").fill(BAD_QUARTER)
    with page.expect_navigation():
        page.get_by_role("button", name="运行检查").click()

    # then the form says how to write it, keeps what was typed, and no job was started
    assert page.locator(".errorlist").inner_text() == BAD_QUARTER_MESSAGE
    assert page.get_by_label("季度（如 2026Q3）").input_value() == BAD_QUARTER
    assert not JobRun.objects.exists()
    assert not DisclosureCheck.objects.exists()

    # when the same quarter is typed into the gaps filter of the disclosures page
    goto(page, "/disclosures/")
    page.get_by_label("缺项季度（如 2026Q3）").fill(BAD_QUARTER)
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()

    # then it is refused there as well, and the page still works
    assert page.get_by_role("status").inner_text() == BAD_QUARTER_MESSAGE
    assert page.get_by_role("heading", name="党务、政务、村务公开").is_visible()
    assert not has_horizontal_scroll(page)
