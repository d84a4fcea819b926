"""The bulletin as a Word document in the official layout, for the office to finish in WPS or Word.

Same content as the PDF (content.document); the charts are given as their figures in a table,
because a DOCX cannot carry the page's SVG reliably in WPS.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .content import document
from .models import Bulletin

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RED = RGBColor(0xC0, 0x00, 0x00)
SERIF = "宋体"
SANS = "黑体"


def _font(run: Any, *, size: float, bold: bool = False, color: RGBColor | None = None, face: str = SERIF) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = face
    # East Asian text takes its font from w:eastAsia, which python-docx does not set by itself.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)
    if color is not None:
        run.font.color.rgb = color


def _border(paragraph: Any, *, side: str, size: int, color: str) -> None:
    """A paragraph border line (w:pBdr): the red rule under the masthead, the footer lines."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _text(doc: Any, text: str, *, size: float = 14, indent: bool = True, bold: bool = False,
          align: Any = None, color: RGBColor | None = None, face: str = SERIF) -> Any:
    paragraph = doc.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), size=size, bold=bold, color=color, face=face)
    return paragraph


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), size=10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(text)), size=10.5)


# Long on purpose: the document top to bottom, in the order it prints.
def bulletin_docx(bulletin: Bulletin) -> bytes:
    data = document(bulletin)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    if data["is_draft"]:
        _text(doc, _("草稿 · 未经审核发布，请勿外传"), size=10, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, color=RED)
    _text(doc, data["title"], size=36, indent=False, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _text(doc, data["issue_line"], size=16, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    byline = doc.add_paragraph()
    width = section.page_width - section.left_margin - section.right_margin
    byline.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    left = _("%(unit)s编印") % {"unit": data["editor_unit"]}
    if data["signer"]:
        left += "　" + _("签发人：%(name)s") % {"name": data["signer"]}
    _font(byline.add_run(f"{left}\t{data['issue_date']}"), size=14)
    _border(byline, side="bottom", size=18, color="C00000")

    if data["editor_note"]:
        _text(doc, _("【按语】") + data["editor_note"][0], size=14, bold=False)
        for text in data["editor_note"][1:]:
            _text(doc, text)

    _text(doc, _("一、工作动态"), indent=False, bold=True, face=SANS, size=16)
    _text(doc, _("统计期间：%(period)s") % {"period": data["period"]}, indent=False, size=12)
    for text in data["narrative"]:
        _text(doc, text)
    for group in data["groups"]:
        _text(doc, group.title, indent=False, bold=True, size=12)
        _table(doc, [_("项目"), _("数值")], [[label, value] for label, value in group.rows])
    for chart in data["chart_series"]:
        _text(doc, chart["title"], indent=False, bold=True, size=12)
        _table(doc, [_("类别"), _("数量")], [[label, str(value)] for label, value in chart["rows"]])
    if data["ideas"]:
        _text(doc, _("采纳的群众建议（来自民情日记）"), indent=False, bold=True, size=12)
        _table(doc, [_("村"), _("建议"), _("状态")], [[r["village"], r["title"], r["status"]] for r in data["ideas"]])

    _text(doc, _("二、典型经验"), indent=False, bold=True, face=SANS, size=16)
    for item in data["typical"]:
        _text(doc, item["title"], indent=False, bold=True)
        who = item["name"] + (f"（{item['place']}）" if item["place"] else "")
        _text(doc, who, indent=False, size=12)
        for text in [t for t in item["story"].splitlines() if t.strip()]:
            _text(doc, text.strip())
    if not data["typical"]:
        _text(doc, _("本期未选用典型。"))

    _text(doc, _("三、问题通报"), indent=False, bold=True, face=SANS, size=16)
    for index, problem in enumerate(data["problems"], start=1):
        _text(doc, f"{index}. {problem.title}", indent=False, bold=True, size=12)
        if problem.rows:
            _table(doc, problem.columns, problem.rows)
        else:
            _text(doc, problem.empty)

    _text(doc, _("四、下步打算"), indent=False, bold=True, face=SANS, size=16)
    for text in data["outlook"] or [_("（待编辑填写）")]:
        _text(doc, text)

    doc.add_paragraph()
    lines = [f"{label}：{text}" for label, text in data["distribution"]]
    footer = [doc.add_paragraph() for _line in lines] or [doc.add_paragraph()]
    for paragraph, text in zip(footer, lines, strict=False):
        _font(paragraph.add_run(text), size=12)
    _border(footer[0], side="top", size=6, color="000000")
    copies = doc.add_paragraph()
    copies.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(copies.add_run(_("（共印%(n)s份）") % {"n": data["copies"]}), size=12)
    _border(copies, side="bottom", size=6, color="000000")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
