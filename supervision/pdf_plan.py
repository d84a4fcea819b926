"""The printable village development plan as a PDF: the print page's template, rendered by WeasyPrint."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import PDF_FONT_STACK, render_pdf
from supervision.models import Plan


def render_plan_html(plan: Plan, *, pdf: bool, today: date | None = None) -> str:
    return render_to_string("supervision/plans/print.html", {
        "plan": plan, "goals": list(plan.goals.all()), "milestones": list(plan.milestones.all()),
        "revisions": list(plan.revisions.all()), "pdf": pdf, "font_stack": PDF_FONT_STACK,
        "today": today or timezone.localdate(),
    })


def render_plan_pdf(plan: Plan) -> bytes:
    """A4, Chinese: goals, milestones, approval. Pass a plan from selectors.plans.plan_detail."""
    return render_pdf(render_plan_html(plan, pdf=True))
