"""Imports of master data from Excel in the browser (the office's admin pages): a households file is
previewed, confirmed and created; a cadres file with one bad row imports nothing and shows that
row's error, in Chinese, under its column.

The import runs in the request (django-import-export): there is no background job and so no
progress page; the preview is the step between the upload and the result."""

from __future__ import annotations

from typing import Any

import pytest

from cadres.models import Cadre, Household, VillageGroup
from tests.e2e.conftest import goto, login, wait_for_path
from tests.spreadsheets import XLSX_MIME, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def office_in_the_admin(world: Any) -> None:
    """The office works in the admin (seed_demo makes its log-in staff)."""
    world.office.user.is_staff = True
    world.office.user.save(update_fields=["is_staff"])


def upload(page: Any, list_path: str, name: str, content: bytes) -> None:
    """From a list page of the admin: 导入, pick the XLSX format and the file, submit."""
    goto(page, list_path)
    page.get_by_role("link", name="导入", exact=True).click()
    wait_for_path(page, rf"{list_path}import/")
    page.get_by_label("格式").select_option(label="xlsx")
    page.get_by_label("导入文件").set_input_files(files=[{"name": name, "mimeType": XLSX_MIME, "buffer": content}])
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()


def test_office_imports_households_from_excel_with_a_preview(world, page_desktop):
    # given the office, 东河村 with its 第一组, and a file of two new households
    office_in_the_admin(world)
    group = VillageGroup.objects.create(village=world.v1, name="第一组")
    content = xlsx(["村", "村民小组", "户主姓名", "家庭人口", "联系电话", "标签"], [
        ["东河村", "第一组", "王大", 4, 13800001111, "脱贫户、党员户"],
        ["V003", "", "王二", 3, "", ""],
    ])
    before = Household.objects.count()

    # when they upload it on the households import page
    page = page_desktop
    login(page, "office")
    upload(page, "/admin/cadres/household/", "农户.xlsx", content)

    # then the preview lists both rows as new, and nothing is saved yet
    assert page.get_by_role("heading", name="预览").is_visible()
    preview = page.locator("table.import-preview")
    assert preview.locator("tr.new").count() == 2
    assert "王大" in preview.inner_text() and "王二" in preview.inner_text()
    assert Household.objects.count() == before

    # when they confirm
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()

    # then they are back on the list, told what was imported, with the new households in it
    wait_for_path(page, "/admin/cadres/household/")
    assert page.locator("ul.messagelist").inner_text().startswith("导入成功，新增2条记录，更新0条记录")
    assert page.locator("#result_list").get_by_role("link", name="王大").count() == 1
    assert Household.objects.count() == before + 2
    wang = Household.objects.get(head_name="王大")
    assert (wang.village, wang.group, wang.members, wang.phone) == (world.v1, group, 4, "13800001111")
    assert sorted(t.name for t in wang.tags.all()) == ["党员户", "脱贫户"]
    assert Household.objects.get(head_name="王二").village == world.v3


def test_a_cadres_file_with_one_bad_row_imports_nothing_and_shows_the_error(world, page_desktop):
    # given the office, and a cadres file whose second row has a post that does not exist
    office_in_the_admin(world)
    content = xlsx(["姓名", "职务", "所在站办所", "所在村"], [
        ["好干部", "机关干部", "财政所", ""],
        ["坏干部", "局长", "", ""],
        ["另一好干部", "机关干部", "农业服务中心", ""],
    ])
    before = Cadre.objects.count()

    # when they upload it on the cadres import page
    page = page_desktop
    login(page, "office")
    upload(page, "/admin/cadres/cadre/", "干部.xlsx", content)

    # then the row is shown with its number, column and message in Chinese, and there is nothing
    # to confirm
    invalid = page.locator("table.import-preview tbody tr")
    assert invalid.count() == 1
    row = invalid.first
    # (django-import-export numbers the data rows: the second row under the header is 2)
    assert row.locator("td").first.inner_text().strip() == "2"
    assert "坏干部" in row.inner_text() and "局长" in row.inner_text()
    # the messages show (opacity 1) while the pointer rests on the row's error count
    container = row.locator(".validation-error-container")
    opacity = "e => getComputedStyle(e).opacity"
    assert container.evaluate(opacity) == "0"
    row.locator(".validation-error-count").hover()
    assert container.evaluate(opacity) == "1"
    errors = container.locator(".validation-error-list")
    assert errors.locator(".validation-error-field-label").inner_text() == "职务"
    assert errors.locator("ul li").inner_text() == "「局长」不是有效的职务。"
    assert page.get_by_role("button", name="确认导入").count() == 0

    # and no cadre was created, not even the good rows
    assert Cadre.objects.count() == before
    assert not Cadre.objects.filter(name__in=["好干部", "坏干部", "另一好干部"]).exists()

    # and the form is there again to upload a corrected file
    assert page.get_by_label("导入文件").is_visible()
