"""Dashboard to-dos (portal/dashboard.py) that wait on one role rather than on one cadre:

- the office: registered matters (登记) waiting to be assigned (交办);
- a unit head: matters assigned to their unit with nobody named to handle them;
- whoever records the party committee's decisions: adopted ideas still 待议;
- the discipline inspector: inspections whose rectification reports are all in (to close, 结案),
  and findings still waiting for rectification (整改).

Each panel is a count and the first few items, read through the selectors (so within the
actor's scope), in a fixed number of queries; a panel with nothing to do is not shown. No
per-cadre figures (docs/design.md §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.utils import timezone

from cadres.roles import Actor, Role
from supervision.models import AgendaItem, Inspection, InspectionFinding, Matter
from supervision.selectors.diaries import agenda_for
from supervision.selectors.inspections import inspections_for
from supervision.selectors.matters import light_expression, matters_for
from supervision.services.agenda import can_decide
from supervision.services.inspections import is_inspector

SHOWN = 5

# Findings that need a rectification report before their inspection can close (services.inspections).
WAITING_FINDING = Q(findings__rectified_at__isnull=True) & ~Q(findings__action="")


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_nobody:
        return []
    today = timezone.localdate()
    candidates = []
    if actor.has(Role.OFFICE):
        candidates.append(_registered_panel(actor, today))
    if actor.unit_ids_headed:
        candidates.append(_unit_panel(actor, today))
    if can_decide(actor):
        candidates.append(_agenda_panel(actor))
    if is_inspector(actor):
        candidates.append(_inspections_panel(actor, today))
    return [panel for panel in candidates if panel is not None]


def _matter_rows(qs: QuerySet[Matter], today: date, *order: Any) -> tuple[int, Sequence[Matter]]:
    count = qs.count()
    if not count:
        return 0, []
    rows = list(qs.select_related("village").annotate(light=light_expression(today)).order_by(*order)[:SHOWN])
    return count, rows


def _registered_panel(actor: Actor, today: date) -> dict[str, Any] | None:
    """登记 → 交办: the office hands each new matter to a unit; oldest first."""
    qs = matters_for(actor).filter(status=Matter.Status.REGISTERED)
    count, rows = _matter_rows(qs, today, "created_at", "id")
    if not count:
        return None
    return {"template": "supervision/dashboard/_todo_registered.html", "order": 22, "count": count,
            "matters": rows, "more": count - len(rows)}


def _unit_panel(actor: Actor, today: date) -> dict[str, Any] | None:
    """Matters assigned to a unit the actor heads with no named assignee: the head is told
    about them (services.matters.matter_assign), names a cadre or handles them; nearest deadline
    first."""
    qs = matters_for(actor).filter(
        unit_id__in=actor.unit_ids_headed, assignee__isnull=True,
        status__in=(Matter.Status.ASSIGNED, Matter.Status.IN_PROGRESS),
    )
    count, rows = _matter_rows(qs, today, F("deadline").asc(nulls_last=True), "id")
    if not count:
        return None
    return {"template": "supervision/dashboard/_todo_unit.html", "order": 23, "count": count,
            "matters": rows, "more": count - len(rows)}


def _agenda_panel(actor: Actor) -> dict[str, Any] | None:
    """Adopted ideas waiting for the party committee's decision; oldest first."""
    # The count rides along on every shown row (a window over the whole filtered set).
    items = list(
        agenda_for(actor).filter(status=AgendaItem.Status.PENDING)
        .select_related(None).select_related("diary__village")
        .only("id", "title", "source", "adopted_at", "diary__village__name")
        .annotate(total=Window(Count("id"))).order_by("adopted_at", "id")[:SHOWN]
    )
    if not items:
        return None
    count = items[0].total  # type: ignore[attr-defined]
    return {"template": "supervision/dashboard/_todo_agenda.html", "order": 26, "count": count,
            "items": items, "more": count - len(items)}


def _inspections_panel(actor: Actor, today: date) -> dict[str, Any] | None:
    """Open inspections: those ready to close (every finding that needs one has its rectification
    report, and at least one report is in), and those with findings still waiting for one."""
    open_ = inspections_for(actor).filter(closed_at__isnull=True)
    figures = (
        InspectionFinding.objects.filter(inspection__in=open_, rectified_at__isnull=True).exclude(action="")
        .aggregate(findings=Count("id"), overdue=Count("id", filter=Q(rectification_deadline__lt=today)),
                   pending=Count("inspection", distinct=True))
    )
    counted = open_.annotate(
        waiting=Count("findings", filter=WAITING_FINDING),
        reported=Count("findings", filter=Q(findings__rectified_at__isnull=False)),
    )
    ready_qs = counted.filter(waiting=0, reported__gt=0)
    ready_count = ready_qs.count()
    if not ready_count and not figures["pending"]:
        return None
    ready = list(ready_qs.order_by("date", "id")[:SHOWN]) if ready_count else []
    pending: list[Inspection] = []
    if figures["pending"]:
        pending = list(
            counted.filter(waiting__gt=0)
            .annotate(first_deadline=Min("findings__rectification_deadline", filter=WAITING_FINDING))
            .order_by(F("first_deadline").asc(nulls_last=True), "date", "id")[:SHOWN]
        )
    return {
        "template": "supervision/dashboard/_todo_inspections.html", "order": 24,
        "ready_count": ready_count, "ready": ready, "ready_more": ready_count - len(ready),
        "pending_count": figures["pending"], "pending": pending, "pending_more": figures["pending"] - len(pending),
        "findings": figures["findings"], "overdue": figures["overdue"],
    }
