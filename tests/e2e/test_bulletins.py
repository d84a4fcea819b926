"""The work-style bulletin (作风建设简报) from compile to PDF in the browser: the office compiles last
month's draft (a long job with a progress page) and edits it, the secretary approves it, the office
publishes it, and a cadre downloads the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from bulletins.models import Bulletin
from bulletins.notifications import NotificationKind
from bulletins.services import previous_month_of
from core.models import Notification
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "本期重点通报民情日记按时填写情况。"
OUTLOOK = "下月起每周通报问题台账办结率。"


def status_of(page: Any) -> str:
    return page.locator("main .status").first.inner_text()


def test_a_bulletin_is_compiled_edited_approved_published_and_downloaded(world, new_page):
    # given the office on the bulletin page
    office = new_page(DESKTOP)
    login(office, "office")
    goto(office, "/bulletins/")

    # when they start the compile for last month, the job's page shows its progress and, once done,
    # its result
    start, end = previous_month_of(timezone.localdate())
    office.get_by_label("期间起").fill(start.isoformat())
    office.get_by_label("期间止").fill(end.isoformat())
    with office.expect_navigation():
        office.get_by_role("button", name="开始汇总").click()
    wait_for_path(office, r"/bulletins/jobs/\d+/")
    assert office.locator("main strong").first.inner_text() == "已完成"
    assert office.locator("progress").get_attribute("value") == "100"
    office.get_by_role("link", name="查看简报草稿").click()
    wait_for_path(office, r"/bulletins/\d+/")
    bulletin = Bulletin.objects.get()
    assert status_of(office) == "草稿"

    # when the office writes the editor's note and the outlook
    office.get_by_role("link", name="编辑").click()
    office.get_by_role("textbox", name="按语").fill(NOTE)
    office.get_by_role("textbox", name="下步打算").fill(OUTLOOK)
    with office.expect_navigation():
        office.get_by_role("button", name="保存").click()
    assert office.get_by_role("status").inner_text() == "已保存。"
    assert NOTE in office.locator("main").inner_text()

    # when the party secretary approves it on their phone
    secretary = new_page(PHONE)
    login(secretary, "secretary")
    goto(secretary, f"/bulletins/{bulletin.pk}/")
    assert not has_horizontal_scroll(secretary)
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="审核通过").tap()
    assert secretary.get_by_role("status").inner_text() == "简报已审核。"
    assert status_of(secretary) == "已审核"

    # when the office publishes it, confirming the dialog
    goto(office, f"/bulletins/{bulletin.pk}/")
    office.once("dialog", lambda dialog: dialog.accept())
    with office.expect_navigation():
        office.get_by_role("button", name="发布").click()
    assert office.get_by_role("status").inner_text() == "简报已发布，已通知本镇干部。"
    assert status_of(office) == "已发布"
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED and bulletin.number == 1

    # then a cadre is told, and downloads the PDF from their phone
    assert Notification.objects.filter(recipient=world.cadre1.user, kind=NotificationKind.BULLETIN_PUBLISHED).count() == 1
    cadre1 = new_page(PHONE, accept_downloads=True)
    login(cadre1, "cadre1")
    goto(cadre1, f"/bulletins/{bulletin.pk}/")
    assert cadre1.get_by_role("button", name="发布").count() == 0
    with cadre1.expect_download() as download_info:
        cadre1.get_by_role("link", name="下载 PDF").tap()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
