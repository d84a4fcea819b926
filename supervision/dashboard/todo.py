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
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cadres.models import Village
from cadres.roles import Actor, Role
from cadres.scope import sees_no_township
from core.sql import read_rows, township_clause
from supervision.dashboard.panel_html import agenda_html
from supervision.models import AgendaItem, Diary, Inspection, InspectionFinding, Matter
from supervision.selectors.diaries import DIARY_READERS
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


class AgendaRow(NamedTuple):
    """What the agenda panel shows of one pending item."""

    pk: int
    diary_id: int | None
    title: str
    source_label: str
    adopted_at: datetime
    village_name: str | None


def _moment(value: Any) -> datetime:
    """A timestamp from a plain cursor: SQLite (development) answers naive UTC (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


def _agenda_panel(actor: Actor) -> dict[str, Any] | None:
    """Adopted ideas waiting for the party committee's decision; oldest first.

    Only those who can decide see it (the leaders, the office, a superuser), and each of them
    reads every diary of their townships (DIARY_READERS), so agenda_for's scope comes down to the
    townships and the source diary not being withdrawn. Built through agenda_for, the statement
    (an EXISTS over diaries_for) cost ~1.7 ms of CPU to compose on every leader's dashboard; as
    plain SQL a tenth of that. tests/supervision/test_dashboard_todo.py holds the two equal.
    """
    if sees_no_township(actor) or not actor.has(*DIARY_READERS):
        return None
    item, diary, village = AgendaItem._meta.db_table, Diary._meta.db_table, Village._meta.db_table
    params: list[Any] = [AgendaItem.Status.PENDING.value]
    agenda, agenda_params = township_clause("a.township_id", actor.township_ids)
    diaries, diary_params = township_clause("d.township_id", actor.township_ids, "OR")
    townships = f"{agenda} AND (d.id IS NULL{diaries})" if agenda else ""
    params += [*agenda_params, *diary_params]
    # The count rides along on every shown row (a window over the whole filtered set).
    sql = (
        f"SELECT a.id, a.diary_id, a.title, a.source, a.adopted_at, v.name, COUNT(*) OVER () FROM {item} a "  # noqa: S608
        f"LEFT JOIN {diary} d ON d.id = a.diary_id LEFT JOIN {village} v ON v.id = d.village_id "
        f"WHERE a.status = %s AND (a.diary_id IS NULL OR d.deleted_at IS NULL){townships} "
        f"ORDER BY a.adopted_at, a.id LIMIT {SHOWN}"
    )
    rows = read_rows(sql, params)
    if not rows:
        return None
    labels = dict(AgendaItem.Source.choices)
    items = [AgendaRow(pk, diary_id, title, str(labels.get(source, source)), _moment(adopted_at), village_name)
             for pk, diary_id, title, source, adopted_at, village_name, _total in rows]
    count = rows[0][-1]
    panel = {"template": "supervision/dashboard/_todo_agenda.html", "order": 26, "count": count,
             "items": items, "more": count - len(items)}
    # Written in Python, as its template would (panel_html): rendered on every visit.
    panel["html"] = agenda_html(panel)
    return panel


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
