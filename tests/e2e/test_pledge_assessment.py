"""The year end of a target-responsibility pledge (目标管理责任书) in the browser: the office scores
each target on the assessment page and the system grades it (a failed veto target fails the whole
pledge); the cadre uploads the scan of the signed and stamped paper copy on a phone, and a file that
is not a PDF or an image is refused."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from cadres.roles import actor_for
from supervision.models import Pledge, TargetAssessment
from supervision.services.pledges import pledge_countersign, pledge_issue_from_template, pledge_sign
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, wait_for_path
from tests.factories import pledge_template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "全年走访任务完成，但有 3 户台账记录不全。"


def status_of(page: Any) -> str:
    return page.locator("section.card dd .status").inner_text()


def result_of(page: Any) -> str:
    """The 考核结果 line of the pledge's card."""
    return page.locator("section.card dt", has_text="考核结果").locator("xpath=following-sibling::dd[1]").inner_text()


def target_row(page: Any, task: str) -> Any:
    return page.get_by_role("row").filter(has_text=task)


def issue_pledges(world: Any, *cadres: Any, countersign: bool = True) -> list[Pledge]:
    """This year's staff pledges of `cadres` (60 + 40 base points, a 5-point bonus, a veto target),
    signed by each cadre and, unless told otherwise, countersigned by the unit head."""
    template = pledge_template(world.township, level="staff", year=timezone.localdate().year)
    pledges = pledge_issue_from_template(template=template, pledgers=list(cadres), actor=actor_for(world.office.user))
    for pledge in pledges:
        pledge_sign(pledge=pledge, actor=actor_for(pledge.pledger_cadre.user))
        if countersign:
            pledge_countersign(pledge=pledge, actor=actor_for(world.unit_head.user))
    return pledges


def open_assessment(page: Any, pledge: Pledge) -> None:
    goto(page, f"/pledges/{pledge.pk}/")
    page.get_by_role("link", name="年终考核").click()
    wait_for_path(page, rf"/pledges/{pledge.pk}/assess/")


def save_assessment(page: Any, pledge: Pledge) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="保存考核结果").click()
    wait_for_path(page, rf"/pledges/{pledge.pk}/")


def test_office_scores_each_target_and_the_pledge_is_graded(world, page_desktop):
    # given cadre1's pledge is in force (signed and countersigned)
    (pledge,) = issue_pledges(world, world.cadre1)

    # when the office opens it, follows 年终考核 and scores the targets: 4.5 points off the first
    # base target with a note, 3 bonus points, the veto target done
    page = page_desktop
    login(page, "office")
    open_assessment(page, pledge)
    page.get_by_label("扣分：基础目标1（60分）").fill("4.5")
    page.get_by_label("说明：基础目标1").fill(NOTE)
    page.get_by_label("扣分：基础目标2（40分）").fill("0")
    page.get_by_label("加分：加分项3（至多5分）").fill("3")
    assert not page.get_by_label("未完成（一票否决）：否决项4").is_checked()
    save_assessment(page, pledge)

    # then the pledge shows its total and grade, and each target its score
    assert page.get_by_role("status").inner_text() == "考核结果已保存。"
    assert status_of(page) == "已考核"
    assert result_of(page) == "98.5分 · 优秀"
    assert "55.5（−4.5）" in target_row(page, "基础目标1").inner_text()
    assert NOTE in target_row(page, "基础目标1").inner_text()
    assert "3" in target_row(page, "加分项3").locator("td").last.inner_text()
    assert target_row(page, "否决项4").locator("td").last.inner_text() == "完成"
    assert page.get_by_role("link", name="年终考核").count() == 0  # assessed once, not again

    # and the database holds the same
    pledge.refresh_from_db()
    assert (pledge.status, pledge.total_score, pledge.grade) == (Pledge.Status.ASSESSED, Decimal("98.5"), Pledge.Grade.EXCELLENT)
    first = TargetAssessment.objects.get(target__pledge=pledge, target__task="基础目标1")
    assert (first.score, first.deduction, first.note, first.by) == (Decimal("55.5"), Decimal("4.5"), NOTE, world.office.user)


def test_a_failed_veto_target_fails_the_pledge_whatever_the_points(world, page_desktop):
    # given cadre2's pledge is in force
    (pledge,) = issue_pledges(world, world.cadre2)

    # when the office gives every point but ticks the veto target as not done
    page = page_desktop
    login(page, "office")
    open_assessment(page, pledge)
    assert "一票否决项未完成的，直接评为不合格" in page.locator("main").inner_text()
    page.get_by_label("加分：加分项3（至多5分）").fill("5")
    page.get_by_label("未完成（一票否决）：否决项4").check()
    page.get_by_label("说明：否决项4").fill("发生安全生产责任事故。")
    save_assessment(page, pledge)

    # then the pledge is graded 不合格 despite its 105 points, and the veto target shows 未完成
    assert result_of(page) == "105分 · 不合格"
    assert target_row(page, "否决项4").locator(".status").inner_text() == "未完成"
    pledge.refresh_from_db()
    assert (pledge.status, pledge.total_score, pledge.grade) == (Pledge.Status.ASSESSED, Decimal("105"), Pledge.Grade.FAIL)
    assert TargetAssessment.objects.get(target__pledge=pledge, target__kind="veto").failed


def small_pdf() -> bytes:
    """A real one-page PDF (a white A4-ish page, as a scanner would make)."""
    buffer = io.BytesIO()
    Image.new("RGB", (210, 297), "white").save(buffer, format="PDF")
    return buffer.getvalue()


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def upload(page: Any, name: str, content: bytes, mime: str) -> None:
    page.get_by_label("签字盖章扫描件（PDF 或图片）").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传").tap()


def test_cadre_uploads_the_signed_scan_as_a_pdf_on_a_phone(world, new_page):
    # given cadre1 has signed their pledge and has the stamped paper copy scanned as a PDF
    (pledge,) = issue_pledges(world, world.cadre1, countersign=False)
    pdf = small_pdf()
    assert pdf.startswith(b"%PDF-")

    # when they upload it from the pledge page on their phone
    page = new_page(PHONE)
    login(page, "cadre1")
    goto(page, f"/pledges/{pledge.pk}/")
    assert "未上传" in page.locator("section.card dl").inner_text()
    upload(page, "责任书扫描件.pdf", pdf, "application/pdf")

    # then it is stored and linked from the pledge, and what is served back is that PDF
    wait_for_path(page, rf"/pledges/{pledge.pk}/")
    assert page.get_by_role("status").inner_text() == "扫描件已上传。"
    assert not has_horizontal_scroll(page)
    link = page.get_by_role("link", name="查看扫描件")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == pdf
    pledge.refresh_from_db()
    assert pledge.scan.name.endswith(".pdf")
    assert [p.read_bytes() for p in stored_files()] == [pdf]

    # and the office sees the same scan from its desk
    office = new_page(DESKTOP)
    login(office, "office")
    goto(office, f"/pledges/{pledge.pk}/")
    assert office.get_by_role("link", name="查看扫描件").count() == 1


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_and_nothing_is_stored(world, page_phone):
    # given cadre1 has signed their pledge
    (pledge,) = issue_pledges(world, world.cadre1, countersign=False)
    page = page_phone
    login(page, "cadre1")
    goto(page, f"/pledges/{pledge.pk}/")

    # when they pick a program instead of the scan
    upload(page, "扫描件.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode.",
           "application/x-msdownload")

    # then it is refused in Chinese, next to the field
    field = page.locator(".field.has-error")
    assert "文件类型不符：只接受PDF、图片（JPG/PNG/WebP）。" in field.get_by_role("alert").inner_text()
    assert "扫描件已上传" not in page.locator("main").inner_text()

    # when they try a text file renamed .pdf
    upload(page, "扫描件.pdf", "这不是扫描件，只是改了扩展名的文本。\n".encode() * 10, "application/pdf")

    # then that is refused too: the type is read from the content, not the name
    assert "文件类型不符" in page.locator(".field.has-error").get_by_role("alert").inner_text()
    assert not has_horizontal_scroll(page)

    # and nothing was stored
    pledge.refresh_from_db()
    assert not pledge.scan
    assert stored_files() == []
    assert pledge.status == Pledge.Status.SIGNED
