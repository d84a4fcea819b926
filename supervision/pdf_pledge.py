"""The printable pledge as a PDF: the same template as the print page, rendered by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from core.pdf import PDF_FONT_STACK, render_pdf
from supervision.models import Pledge


def render_pledge_html(pledge: Pledge, *, pdf: bool) -> str:
    return render_to_string("supervision/pledges/print.html", {
        "pledge": pledge, "targets": list(pledge.targets.all()), "pdf": pdf, "font_stack": PDF_FONT_STACK,
    })


def render_pledge_pdf(pledge: Pledge) -> bytes:
    """A4, Chinese, with both signature blocks. Pass a pledge from selectors.pledges.pledge_detail
    (targets prefetched)."""
    return render_pdf(render_pledge_html(pledge, pdf=True))
