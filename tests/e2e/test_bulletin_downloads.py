"""A published work-style bulletin (作风建设简报) in the browser: a cadre downloads its Word document
and its data workbook on a phone, and both say what the page says; the office cannot compile that
month again, since a published bulletin is frozen."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl
import pytest
from django.utils import timezone

from bulletins.models import Bulletin
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish, bulletin_update, previous_month_of
from cadres.roles import actor_for
from core.models import JobRun
from tests.e2e.conftest import DESKTOP, PHONE, goto, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "本期重点通报联系户走访情况。"


def published_bulletin(world: Any) -> Bulletin:
    """Last month's bulletin of 东河镇, compiled and noted by the office, approved, published (第1期)."""
    start, end = previous_month_of(timezone.localdate())
    bulletin = bulletin_compile(township=world.township, start=start, end=end, actor=actor_for(world.office.user))
    bulletin = bulletin_update(bulletin=bulletin, actor=actor_for(world.office.user), changes={"editor_note": NOTE})
    bulletin = bulletin_approve(bulletin=bulletin, actor=actor_for(world.secretary.user))
    return bulletin_publish(bulletin=bulletin, actor=actor_for(world.office.user))


def download(page: Any, link: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).tap()
    file = info.value
    with open(file.path(), "rb") as handle:
        return file.suggested_filename, handle.read()


def test_cadre_downloads_the_word_and_excel_files_of_a_published_bulletin(world, new_page):
    # given last month's bulletin is published; 东河镇 has two contact households
    bulletin = published_bulletin(world)
    contacts = bulletin.figures["households"]["contacts"]
    assert contacts == 2
    issue = f"{bulletin.year}年第1期（总第1期）"

    # when cadre1 opens it on their phone
    page = new_page(PHONE, accept_downloads=True)
    login(page, "cadre1")
    goto(page, f"/bulletins/{bulletin.pk}/")
    main = page.locator("main").inner_text()
    assert bulletin.title in main and f"{bulletin.year}年第1期" in main and NOTE in main

    # when they download the Word version
    name, content = download(page, "下载 Word")

    # then it is the bulletin: title, issue, editor's note, period and the figures' tables
    assert name == f"{bulletin.title}-{issue}.docx"
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == bulletin.title  # no 草稿 banner: it is published
    assert paragraphs[1] == issue
    assert f"【按语】{NOTE}" in paragraphs
    start, end = bulletin.period_start, bulletin.period_end
    assert f"统计期间：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in paragraphs
    cells = {tuple(c.text for c in row.cells) for table in document.tables for row in table.rows}
    assert ("联系户（户）", str(contacts)) in cells

    # when they download the data workbook
    name, content = download(page, "下载数据（Excel）")

    # then its sheets hold the same title, issue and figures
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["概况", "工作动态", "典型经验", "问题通报", "下步打算"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert (overview["标题"], overview["期号"], overview["状态"], overview["按语"]) == (
        bulletin.title, issue, "已发布", NOTE)
    figures = list(book["工作动态"].iter_rows(min_row=2, values_only=True))
    assert ("联系户走访", "联系户（户）", contacts) in figures
    cadres = bulletin.figures["diaries"]["cadres"]
    assert ("民情日记", "应写干部（人）", cadres) in figures


def test_recompiling_a_published_month_is_refused_and_changes_nothing(world, new_page):
    # given last month's bulletin is published
    bulletin = published_bulletin(world)
    before = Bulletin.objects.values().get(pk=bulletin.pk)
    versions = bulletin.history.count()

    # when the office asks to compile last month again
    page = new_page(DESKTOP)
    login(page, "office")
    goto(page, "/bulletins/")
    page.get_by_label("期间起").fill(bulletin.period_start.isoformat())
    page.get_by_label("期间止").fill(bulletin.period_end.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="开始汇总").click()

    # then the job's page says, in Chinese, that the month is published and frozen
    wait_for_path(page, r"/bulletins/jobs/\d+/")
    assert page.locator("main strong").first.inner_text() == "失败"
    start, end = bulletin.period_start, bulletin.period_end
    assert page.get_by_role("alert").inner_text() == (
        f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日的简报已于"
        f"{bulletin.issue_date.year}年{bulletin.issue_date.month}月{bulletin.issue_date.day}日发布"
        f"（{bulletin.year}年第1期（总第1期）），内容已冻结，不能重新汇总。"
    )
    assert page.get_by_role("link", name="查看简报草稿").count() == 0
    assert "本页每2秒自动刷新" not in page.locator("main").inner_text()  # it has ended
    job = JobRun.objects.get(name="bulletins.compile")
    assert job.status == JobRun.Status.FAILED

    # and the bulletin is exactly as it was: no new draft, no new version
    assert Bulletin.objects.count() == 1
    assert Bulletin.objects.values().get(pk=bulletin.pk) == before
    assert bulletin.history.count() == versions

    # and from the list, the office still finds it published
    page.get_by_role("link", name="返回简报列表").click()
    wait_for_path(page, "/bulletins/")
    row = page.get_by_role("row").filter(has_text=bulletin.title)
    assert row.locator(".status").inner_text() == "已发布"
