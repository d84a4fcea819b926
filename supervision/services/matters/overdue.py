"""Overdue matters escalated to the office, with one digest per person."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor, require_system
from core.notifications import notify
from supervision.models import Matter, MatterEvent
from supervision.notifications import NotificationKind
from supervision.selectors.matters import overdue_q
from supervision.services._common import cn_date, office_users
from supervision.services.matters.rules import _url, _user_of


def matters_escalate_overdue(*, actor: Actor, today: date | None = None) -> int:
    """督办: each overdue open matter is told to its assignee first, then to the assignee's unit
    head and leader in charge (or the office when nobody is assigned yet and the unit has no
    head). Each recipient gets ONE digest a day listing their overdue matters and the days each
    is overdue, however many matters and however often the job runs (dedupe per recipient and
    day). Returns the number of matters escalated for the first time today. The system's job
    (cadres.roles.SYSTEM)."""
    require_system(actor)
    today = today or timezone.localdate()
    overdue = list(
        Matter.objects.filter(overdue_q(today))
        .select_related("unit__head__user", "unit__leader_in_charge__user", "assignee__user",
                        "assignee__unit__head__user", "assignee__unit__leader_in_charge__user", "village")
        .order_by("deadline", "id")
    )
    escalated = 0
    offices: dict[int, list[Any]] = {}
    # Assignees' digests are written before their superiors' (the assignee is told first).
    assignees: dict[int, tuple[Any, list[tuple[Matter, int]]]] = {}
    superiors: dict[int, tuple[Any, list[tuple[Matter, int]]]] = {}
    for matter in overdue:
        unit = (matter.assignee.unit if matter.assignee and matter.assignee.unit_id else None) or matter.unit
        recipients = [_user_of(unit.head), _user_of(unit.leader_in_charge)] if unit else []
        if not any(recipients):
            recipients = offices.setdefault(matter.township_id, office_users(matter.township_id))
        days = (today - matter.deadline).days if matter.deadline else 0
        assignee = _user_of(matter.assignee)
        if assignee is not None:
            assignees.setdefault(assignee.pk, (assignee, []))[1].append((matter, days))
        for user in recipients:
            if user is not None and (assignee is None or user.pk != assignee.pk):
                superiors.setdefault(user.pk, (user, []))[1].append((matter, days))
        # The timeline records one 督办 a day, however often the job runs.
        with transaction.atomic():
            if Matter.objects.filter(pk=matter.pk).filter(Q(escalated_on__isnull=True) | ~Q(escalated_on=today)).update(
                escalated_on=today
            ):
                MatterEvent.objects.create(matter=matter, action="escalate", from_status=matter.status,
                                           to_status=matter.status, note=_("逾期 %(days)s 天，督办") % {"days": days})
                escalated += 1
    for digests in (assignees, superiors):
        for user, items in digests.values():
            _send_overdue_digest(user, items, today)
    return escalated


def _send_overdue_digest(user: Any, items: list[tuple[Matter, int]], today: date) -> None:
    """One notice listing a recipient's overdue matters, most overdue first."""
    items = sorted(items, key=lambda item: (-item[1], item[0].pk))
    lines = [
        _("逾期 %(days)s 天 —— #%(id)s %(text)s（%(village)s，承办：%(who)s，期限 %(deadline)s）") % {
            "days": days, "id": matter.pk, "text": matter.description[:40], "village": matter.village.name,
            "who": matter.assignee.name if matter.assignee else (matter.unit.name if matter.unit else _("未交办")),
            "deadline": cn_date(matter.deadline) if matter.deadline else "—",
        }
        for matter, days in items
    ]
    url = _url(items[0][0]) if len(items) == 1 else reverse("matters") + "?light=red"
    notify(
        users=[user],
        kind=NotificationKind.MATTER_OVERDUE,
        title=_("督办：%(count)s 件事项已逾期，最长 %(days)s 天") % {"count": len(items), "days": items[0][1]},
        body="\n".join(lines),
        url=url,
        dedupe_key=f"matters-overdue:{user.pk}:{today.isoformat()}",
    )
