"""The bulletin read back from its PDF, XLSX and DOCX: the layout's parts and the figures are there."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from bulletins.docx import bulletin_docx
from bulletins.pdf import PDFUnavailable, bulletin_pdf
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish, bulletin_update
from bulletins.xlsx import bulletin_xlsx
from cadres.roles import SYSTEM, actor_for
from core.charts import bar_chart

from .conftest import END, FORMULA_IDEA, START


@pytest.fixture
def published(october):  # type: ignore[no-untyped-def]
    w = october.world
    b = bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM)
    bulletin_update(bulletin=b, actor=actor_for(w.office.user), changes={
        "editor_note": "=1+1 各村要对照整改。", "outlook": "一是继续走访。\n二是督办逾期问题。"})
    bulletin_approve(bulletin=b, actor=actor_for(w.secretary.user))
    return bulletin_publish(bulletin=b, actor=actor_for(w.office.user), today=dt.date(2026, 11, 3))


def pdf_text(content: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_has_the_official_layout_and_the_figures(published, tmp_path):
    content = bulletin_pdf(published)

    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert "作风建设简报" in text  # searchable: not spaced out letter by letter
    assert "2026年第1期（总第1期）" in text
    assert "东河镇党政办编印" in text
    assert "签发人：书记" in text
    assert "2026年11月3日" in text
    for heading in ("一、工作动态", "二、典型经验", "三、问题通报", "四、下步打算"):
        assert heading in text
    assert "实写4篇" in text and "完成率2.5%" in text
    assert "扎根一线解民忧" in text
    assert "台账材料重复填报" in text and "农业服务中心" in text
    assert "民情日记反映情况分类（篇）" in text  # the SVG chart's title
    assert "报：县委、县政府，县纪委监委" in text
    assert "（共印30份）" in text
    fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True).stdout.decode()
    assert "CJK" in fonts


def test_pdf_of_a_draft_says_so_and_has_no_number(october, tmp_path):
    b = bulletin_compile(township=october.world.township, start=START, end=END, actor=SYSTEM)

    text = pdf_text(bulletin_pdf(b), tmp_path)

    assert "草稿" in text and "发布时编号" in text


def test_pdf_without_a_chinese_font_is_refused_with_a_message(published, monkeypatch):
    monkeypatch.setattr("core.checks.cjk_font_available", lambda: False)

    with pytest.raises(PDFUnavailable, match="没有安装中文字体"):
        bulletin_pdf(published)


def test_xlsx_has_one_sheet_per_section_and_formula_text_stays_text(published):
    workbook = load_workbook(io.BytesIO(bulletin_xlsx(published)))

    assert workbook.sheetnames == ["概况", "工作动态", "典型经验", "问题通报", "下步打算"]
    rows = list(workbook["工作动态"].iter_rows(values_only=True))
    assert ("民情日记", "实写（篇）", 4) in rows
    assert ("民情日记", "完成率", "2.5%") in rows
    idea = next(r for r in rows if r[0] == "采纳的群众建议")
    assert idea[2] == "'" + FORMULA_IDEA
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    summary = dict(workbook["概况"].iter_rows(values_only=True))
    assert summary["期号"] == "2026年第1期（总第1期）"
    assert summary["按语"] == "'=1+1 各村要对照整改。"
    assert ("扎根一线解民忧", "干部甲", "农业服务中心", "每天入户走访，两周内修好水渠。") in list(
        workbook["典型经验"].iter_rows(values_only=True))
    problems = [r[0] for r in workbook["问题通报"].iter_rows(values_only=True)]
    assert "督查通报问题" in problems and "农业服务中心" in problems and "东河村" in problems
    assert list(workbook["下步打算"].iter_rows(values_only=True))[1:] == [(1, "一是继续走访。"), (2, "二是督办逾期问题。")]


def test_docx_has_the_layout_and_the_figures(published):
    document = Document(io.BytesIO(bulletin_docx(published)))

    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "作风建设简报"
    assert document.paragraphs[0].runs[0].font.color.rgb == (0xC0, 0x00, 0x00)
    assert paragraphs[1] == "2026年第1期（总第1期）"
    assert paragraphs[2].startswith("东河镇党政办编印") and paragraphs[2].endswith("2026年11月3日")
    assert "w:pBdr" in document.paragraphs[2]._p.xml  # the red rule
    assert "一、工作动态" in paragraphs and "四、下步打算" in paragraphs
    assert "报：县委、县政府，县纪委监委" in paragraphs
    assert "（共印30份）" in paragraphs
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "实写（篇）" in cells and "4" in cells
    assert "台账材料重复填报" in cells


def test_chart_escapes_labels_and_scales_bars():
    svg = str(bar_chart("标题<script>", [("a&b", 10), ("c", 5), ("零", 0)]))

    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert 'width="362.0"' in svg and 'width="181.0"' in svg
    assert "style=" not in svg
