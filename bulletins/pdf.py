"""The bulletin as a PDF in the official layout (red masthead, 第N期 line, red rule, footer with
the 报/送/发 distribution and the number of copies), rendered by WeasyPrint with Noto CJK fonts."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import checks
from core.pdf import PDF_FONT_STACK, render_pdf

from .content import document
from .models import Bulletin


class PDFUnavailable(RuntimeError):
    """No Chinese font on this machine: a PDF would show empty boxes instead of text."""


def pdf_unavailable_message() -> str:
    return _("本机没有安装中文字体，无法生成 PDF（文字会显示为方框）。请管理员安装 fonts-noto-cjk 后重试；"
             "也可先下载 Word 版（DOCX）。")


def bulletin_html(bulletin: Bulletin) -> str:
    return render_to_string("bulletins/pdf.html", {**document(bulletin), "font_stack": PDF_FONT_STACK})


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    if not checks.cjk_font_available():
        raise PDFUnavailable(pdf_unavailable_message())
    return render_pdf(bulletin_html(bulletin))
