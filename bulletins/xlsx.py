"""The bulletin's figures as a workbook: one sheet per section (概况, 工作动态, 典型经验, 问题通报, 下步打算).

Every text cell goes through core.reports.safe_cell, so text that begins with = + - @ (a diary's
idea, a finding, the editor's note) is written as text and never run as a formula.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.reports import safe_cell

from .content import document
from .models import Bulletin

_NUMBER = re.compile(r"^\d+(\.\d+)?$")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return safe_cell(value) if isinstance(value, str) else value


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _problems_sheet(workbook: Workbook, sections: list[Any]) -> None:
    """问题通报: its three lists one under the other, each with its own heading and columns."""
    sheet = workbook.create_sheet(title=_("问题通报"))
    for section in sections:
        sheet.append([safe_cell(section.title)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="B71C1C")
        sheet.append([safe_cell(c) for c in section.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_cell(v) for v in row])
        if not section.rows:
            sheet.append([safe_cell(section.empty)])
        sheet.append([])
    for index, width in enumerate([16, 16, 14, 60, 12, 20]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    doc = document(bulletin)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, _("概况"), [_("项目"), _("内容")], [
        [_("标题"), doc["title"]],
        [_("期号"), doc["issue_line"]],
        [_("状态"), bulletin.get_status_display()],
        [_("统计期间"), doc["period"]],
        [_("编印单位"), doc["editor_unit"]],
        [_("印发日期"), doc["issue_date"]],
        [_("签发人"), doc["signer"]],
        [_("按语"), "\n".join(doc["editor_note"])],
        *[[label, text] for label, text in doc["distribution"]],
        [_("印数（份）"), doc["copies"]],
    ], [16, 90])
    figure_rows: list[list[Any]] = [[g.title, label, value] for g in doc["groups"] for label, value in g.rows]
    figure_rows += [[c["title"], label, value] for c in doc["chart_series"] for label, value in c["rows"]]
    figure_rows += [[_("采纳的群众建议"), row["village"], row["title"]] for row in doc["ideas"]]
    figure_rows += [[_("工作动态（文字）"), "", text] for text in doc["narrative"]]
    _sheet(workbook, _("工作动态"), [_("类别"), _("项目"), _("数值/内容")], figure_rows, [28, 26, 60])
    _sheet(workbook, _("典型经验"), [_("标题"), _("姓名"), _("单位/村"), _("事迹")],
           [[t["title"], t["name"], t["place"], t["story"]] for t in doc["typical"]], [30, 12, 16, 90])
    _problems_sheet(workbook, doc["problems"])
    _sheet(workbook, _("下步打算"), [_("序号"), _("内容")],
           [[index, text] for index, text in enumerate(doc["outlook"], start=1)], [8, 100])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
