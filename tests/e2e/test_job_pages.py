"""Long jobs started from the office's own pages, in the browser (no admin access needed): the
quarterly disclosure check started from /disclosures/ shows its progress and then its result; a
households file imported from /households/ shows what was created, and a file with a bad row shows
that row's Excel line, column and Chinese message, as text, with nothing imported."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from cadres.models import Household
from core.models import JobRun
from supervision.models import DisclosureCheck
from supervision.quarters import last_due_quarter
from supervision.tasks import disclosure_check_task
from tests.e2e.conftest import goto, has_horizontal_scroll, login, wait_for_path
from tests.spreadsheets import XLSX_MIME, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The job page refreshes itself every 2 seconds; leave room for a slow shared machine.
REFRESHED_MS = 15_000



def import_households(page: Any, name: str, content: bytes) -> None:
    """From /households/: 导入农户, pick the file, 上传并导入; land on the job's page."""
    goto(page, "/households/")
    page.get_by_role("link", name="导入农户").click()
    wait_for_path(page, "/households/import/")
    page.get_by_label("导入文件（XLSX 或 CSV）").set_input_files(
        files=[{"name": name, "mimeType": XLSX_MIME, "buffer": content}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    wait_for_path(page, r"/jobs/[0-9]+/")


def test_office_starts_the_quarterly_check_from_disclosures_and_follows_it(world, page_desktop, monkeypatch):
    # given the office, with no access to the admin, and a worker that has not yet taken the job
    assert not world.office.user.is_staff
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr("supervision.tasks.disclosure_check_task",
                        SimpleNamespace(delay=lambda *args: queued.append(args)))
    quarter = last_due_quarter()

    # when they follow 运行季度检查 from the disclosures page and run the offered quarter
    page = page_desktop
    login(page, "office")
    goto(page, "/disclosures/")
    page.get_by_role("link", name=re.compile(r"^运行季度检查")).click()
    wait_for_path(page, "/disclosures/checks/run/")
    field = page.get_by_label("季度（如 2026Q3）")
    assert field.input_value() == str(quarter)
    with page.expect_navigation():
        page.get_by_role("button", name="运行检查").click()

    # then the job's page shows it waiting, and says it refreshes itself
    job = JobRun.objects.get(name="disclosure_check")
    wait_for_path(page, f"/jobs/{job.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "季度公开检查进度"
    assert page.locator(".job-status").inner_text() == "排队中"
    assert page.locator(".job-progress").inner_text() == "0%"
    assert page.get_by_text("本页每2秒自动刷新。").is_visible()
    assert queued == [(quarter.year, quarter.quarter, world.township.pk, job.pk)]

    # when the worker runs it
    disclosure_check_task(*queued[0])

    # then the page, refreshing itself, shows the result
    page.locator(".job-status", has_text="已完成").wait_for(timeout=REFRESHED_MS)
    assert page.locator(".job-progress").inner_text() == "100%"
    assert f"{quarter.label} 村务公开检查：1个乡镇、3个村" in page.locator(".job-message").inner_text()
    assert page.get_by_text("本页每2秒自动刷新。").count() == 0
    assert not has_horizontal_scroll(page)
    assert page.problems.page_errors == [] and page.problems.csp_refusals == []

    # and 查看检查结果 lists the quarter's checks of the office's villages
    page.get_by_role("link", name="查看检查结果").click()
    wait_for_path(page, "/disclosures/checks/")
    checks = DisclosureCheck.objects.filter(year=quarter.year, quarter=quarter.quarter)
    assert sorted(checks.values_list("village__name", flat=True)) == ["东河村", "光明路村", "南沟村"]
    for village in ("东河村", "光明路村", "南沟村"):
        assert page.get_by_role("link", name=re.compile(village)).count() >= 1


def test_office_imports_a_households_file_and_sees_what_was_created(world, page_desktop):
    # given the office, no admin access, and a file of two new households
    content = xlsx(["村", "村民小组", "户主姓名", "家庭人口", "联系电话", "标签"], [
        ["东河村", "", "王大", 4, 13800001111, "脱贫户、党员户"],
        ["V003", "", "王二", 3, "", ""],
    ])
    before = Household.objects.count()

    # when they import it from their households page
    page = page_desktop
    login(page, "office")
    import_households(page, "农户.xlsx", content)

    # then the job's page shows it finished, with two created and none updated
    page.locator(".job-status", has_text="已完成").wait_for(timeout=REFRESHED_MS)
    assert page.locator(".job-message").inner_text() == "导入完成：新增2条，更新0条。"
    counts = page.locator("dl.job-counts")
    assert counts.inner_text().split() == ["新增", "2", "更新", "0"]
    assert page.get_by_text("文件：农户.xlsx").is_visible()
    assert Household.objects.count() == before + 2
    assert Household.objects.get(head_name="王二").village == world.v3

    # and the import page lists it among the recent imports
    page.get_by_role("link", name="返回导入页面").first.click()
    wait_for_path(page, "/households/import/")
    recent = page.locator("section[aria-labelledby='recent-title'] li")
    assert recent.count() == 1 and "农户.xlsx" in recent.inner_text() and "已完成" in recent.inner_text()


def test_a_bad_row_shows_its_line_and_chinese_error_and_nothing_is_created(world, page_desktop):
    # given a file whose third line (the second data row) has a household of 40 people
    content = xlsx(["村", "户主姓名", "家庭人口", "联系电话"], [
        ["东河村", "好户", 3, ""],
        ["东河村", "坏户", 40, ""],
        ["东河村", "另一好户", 2, ""],
    ])
    before = Household.objects.count()

    # when the office imports it
    page = page_desktop
    login(page, "office")
    import_households(page, "有错.xlsx", content)

    # then the job failed, said so, and imported nothing
    page.locator(".job-status", has_text="失败").wait_for(timeout=REFRESHED_MS)
    assert page.get_by_role("alert").inner_text() == "未导入任何数据：文件中有1处错误，请改正后重新上传。"
    assert Household.objects.count() == before
    assert not Household.objects.filter(head_name__in=["好户", "坏户", "另一好户"]).exists()

    # and the error is listed as plain text: Excel line 3, the column, what was written, the message
    table = page.locator("table.import-errors")
    assert table.locator("thead th").all_inner_texts() == ["行号", "列", "填写内容", "问题"]
    rows = table.locator("tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td")
    assert cells.all_inner_texts() == ["3", "家庭人口", "40", "家庭人口应为1到30之间的整数。"]
    assert cells.nth(3).is_visible()
    assert "None" not in page.locator("main").inner_text()
    assert not has_horizontal_scroll(page)
