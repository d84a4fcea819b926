"""The county bulletin (issue #21): compiled from the townships' figures of a month or quarter,
approved and published by county-level staff, numbered on its own (第N期 of the year).

The figures are the county dashboard's (bulletins.county_dashboard.county_rows: one grouped pass
for every township), frozen into the bulletin when compiled; recompiling a draft of the same
period refreshes them; a published bulletin never changes. The PDF has the official layout of
the townships' bulletins (red masthead, 第N期 line, red rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor, Role
from core import checks
from core.errors import NotAllowed, StateError
from core.pdf import PDF_FONT_STACK, render_pdf
from core.replica import replica_reads

from .content import cn_date, period_text
from .county_dashboard import county_rows
from .figures import rate
from .models import CountyBulletin
from .services import validate_period

TOTAL_KEYS = ("expected", "written", "closed", "closed_on_time", "overdue", "pledges", "pledges_countersigned",
              "milestones_due", "milestones_done")


def is_county_staff(actor: Actor) -> bool:
    return actor.is_superuser or (Role.COUNTY in actor.roles and actor.township_ids is None)


def _require_county(actor: Actor) -> None:
    if not is_county_staff(actor):
        raise NotAllowed(_("县级简报只能由县级用户汇总、审核和发布。"))


def county_figures(start: dt.date, end: dt.date) -> dict[str, Any]:
    with replica_reads():
        rows = county_rows(start, end)
    totals = {key: sum(row[key] or 0 for row in rows) for key in TOTAL_KEYS}
    totals["completeness"] = rate(totals["written"], totals["expected"])
    totals["on_time_rate"] = rate(totals["closed_on_time"], totals["closed"])
    scores = [row["disclosure_score"] for row in rows if row["disclosure_score"] is not None]
    totals["disclosure_score"] = round(sum(scores) / len(scores), 1) if scores else None
    return {"townships": rows, "totals": totals}


@transaction.atomic
def county_bulletin_compile(*, actor: Actor, start: dt.date, end: dt.date) -> CountyBulletin:
    """A draft for the period (a month or a quarter), or the period's draft with fresh figures."""
    _require_county(actor)
    validate_period(start, end)
    bulletin = CountyBulletin.objects.select_for_update().filter(period_start=start, period_end=end).first()
    if bulletin is not None and bulletin.is_frozen:
        raise StateError(_("该期间的县级简报已发布，不能重新汇总。"))
    if bulletin is None:
        bulletin = CountyBulletin(period_start=start, period_end=end, year=end.year)
    bulletin.figures = county_figures(start, end)
    bulletin.compiled_at = timezone.now()
    if bulletin.status == CountyBulletin.Status.APPROVED:
        bulletin.status = CountyBulletin.Status.DRAFT  # new figures need a new approval
        bulletin.approved_by, bulletin.approved_at = None, None
    bulletin.save()
    return bulletin


@transaction.atomic
def county_bulletin_approve(*, actor: Actor, bulletin: CountyBulletin) -> CountyBulletin:
    _require_county(actor)
    bulletin = CountyBulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != CountyBulletin.Status.DRAFT:
        raise StateError(_("只有草稿可以审核。"))
    bulletin.status = CountyBulletin.Status.APPROVED
    bulletin.approved_by_id, bulletin.approved_at = actor.user_id, timezone.now()
    bulletin.save(update_fields=["status", "approved_by", "approved_at"])
    return bulletin


def county_bulletin_publish(*, actor: Actor, bulletin: CountyBulletin) -> CountyBulletin:
    """已审核 → 已发布 with the next 第N期 of its year; two publications at once: the unique number
    refuses the second, which takes the next number."""
    _require_county(actor)
    for _attempt in range(3):
        try:
            return _publish(bulletin, actor.user_id)
        except IntegrityError:
            continue
    raise StateError(_("期号分配冲突，请重试。"))


@transaction.atomic
def _publish(bulletin: CountyBulletin, user_id: int | None) -> CountyBulletin:
    bulletin = CountyBulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != CountyBulletin.Status.APPROVED:
        raise StateError(_("只有已审核的简报可以发布。"))
    taken = CountyBulletin.objects.filter(year=bulletin.year).aggregate(n=Max("number"))["n"] or 0
    bulletin.number = taken + 1
    bulletin.status = CountyBulletin.Status.PUBLISHED
    bulletin.published_by_id, bulletin.published_at = user_id, timezone.now()
    bulletin.save(update_fields=["number", "status", "published_by", "published_at"])
    return bulletin


def county_bulletin_html(bulletin: CountyBulletin) -> str:
    issue = (_("%(year)s年第%(number)s期") % {"year": bulletin.year, "number": bulletin.number}
             if bulletin.number else _("%(year)s年（草稿）") % {"year": bulletin.year})
    return render_to_string("bulletins/county_pdf.html", {
        "bulletin": bulletin, "title": bulletin.title, "issue_line": issue, "editor": bulletin.editor,
        "issue_date": cn_date(timezone.localtime(bulletin.published_at or bulletin.compiled_at).date()),
        "period": period_text(bulletin.period_start, bulletin.period_end),
        "rows": bulletin.figures.get("townships", []), "totals": bulletin.figures.get("totals", {}),
        "is_draft": not bulletin.is_frozen, "font_stack": PDF_FONT_STACK,
    })


def county_bulletin_pdf(bulletin: CountyBulletin) -> bytes:
    from .pdf import PDFUnavailable, pdf_unavailable_message

    if not checks.cjk_font_available():
        raise PDFUnavailable(pdf_unavailable_message())
    return render_pdf(county_bulletin_html(bulletin))
