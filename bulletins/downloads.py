"""The three downloads of a bulletin (PDF, XLSX, DOCX), shared by the page and the API."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .content import issue_line
from .models import Bulletin

FORMATS = ("pdf", "xlsx", "docx")
PDF_CONTENT_TYPE = "application/pdf"


def filename(bulletin: Bulletin, fmt: str) -> str:
    return f"{bulletin.title}-{issue_line(bulletin)}.{fmt}".replace("/", "-").replace("\\", "-")


def render(bulletin: Bulletin, fmt: str) -> tuple[bytes, str]:
    """(content, content type); raises pdf.PDFUnavailable when no Chinese font is installed."""
    if fmt == "pdf":
        from .pdf import bulletin_pdf

        return bulletin_pdf(bulletin), PDF_CONTENT_TYPE
    if fmt == "xlsx":
        from .xlsx import XLSX_CONTENT_TYPE, bulletin_xlsx

        return bulletin_xlsx(bulletin), XLSX_CONTENT_TYPE
    if fmt == "docx":
        from .docx import DOCX_CONTENT_TYPE, bulletin_docx

        return bulletin_docx(bulletin), DOCX_CONTENT_TYPE
    raise ValueError(fmt)


def response(bulletin: Bulletin, fmt: str) -> HttpResponse:
    content, content_type = render(bulletin, fmt)
    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, filename(bulletin, fmt)) or "attachment"
    # Drafts change; a published bulletin never does, but may still only be read by the township.
    resp["Cache-Control"] = "private, no-store" if not bulletin.is_frozen else "private, max-age=3600"
    return resp
