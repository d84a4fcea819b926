"""Reads of matters, always through the matter scope (docs/design.md §4), with deadline lights.

Scope: township-wide roles see the whole township; a unit head sees the matters of their unit
(the matter's unit or its assignee's); a leader in charge sees those of their units and of the
villages they lead; a cadre sees what they raised, what is assigned to them and what concerns
their assigned villages; a village cadre sees their own village's matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.roles import Actor
from cadres.scope import assigned_village_ids, led_village_ids, managed_unit_ids, narrowed, scope_key
from supervision.models import Matter, MatterEvent

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHT_LABELS = {GREEN: _("正常"), YELLOW: _("临期"), RED: _("逾期")}


def yellow_days() -> int:
    return int(settings.PORTAL["MATTER_YELLOW_DAYS"])


def matters_for(actor: Actor, qs: QuerySet[Matter] | None = None) -> QuerySet[Matter]:
    return narrowed(Matter.objects.all() if qs is None else qs, matters_scope_key(actor))


def matters_in_scope(key: tuple[Any, ...]) -> QuerySet[Matter]:
    """matters_for of any actor whose matters_scope_key is `key`."""
    return narrowed(Matter.objects.all(), key)


def matters_scope_key(actor: Actor) -> tuple[Any, ...]:
    """What matters_for narrows by (cadres.scope.scope_key): equal keys, equal rows."""
    return scope_key(actor, lambda: _cadre_cond(actor))


def _cadre_cond(actor: Actor) -> Q:
    """A cadre's matters: raised by or assigned to them, in their villages, or of the units they head."""
    cond = Q(raised_by_id=actor.cadre_id) | Q(assignee_id=actor.cadre_id)
    villages = assigned_village_ids(actor) | led_village_ids(actor)
    if villages:
        cond |= Q(village_id__in=villages)
    managed = managed_unit_ids(actor)
    if managed:
        cond |= Q(unit_id__in=managed) | Q(assignee__unit_id__in=managed)
    return cond


def light_expression(today: date | None = None) -> Case:
    """green / yellow (due within MATTER_YELLOW_DAYS) / red (overdue) for open matters, '' otherwise."""
    today = today or timezone.localdate()
    open_q = Q(status__in=Matter.OPEN_STATUSES)
    return Case(
        When(open_q & Q(deadline__lt=today), then=Value(RED)),
        When(open_q & Q(deadline__lte=today + timedelta(days=yellow_days())), then=Value(YELLOW)),
        When(open_q, then=Value(GREEN)),
        default=Value(""),
        output_field=CharField(),
    )


def overdue_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=Matter.OPEN_STATUSES, deadline__lt=today)


def overdue_days(matter: Matter, today: date | None = None) -> int | None:
    """Whole days an open matter is past its deadline ("逾期 N 天"), counted on Beijing's calendar
    (TIME_ZONE); None when it is closed, has no deadline or is not yet due."""
    today = today or timezone.localdate()
    if not matter.is_open or matter.deadline is None or matter.deadline >= today:
        return None
    return (today - matter.deadline).days


def light_of(matter: Matter, today: date | None = None) -> str:
    """The same rule for one object already in memory (after an action)."""
    today = today or timezone.localdate()
    if not matter.is_open:
        return ""
    if matter.deadline is None:
        return GREEN
    if matter.deadline < today:
        return RED
    if matter.deadline <= today + timedelta(days=yellow_days()):
        return YELLOW
    return GREEN


# What the ledger page shows beside each matter; the API's rows name only the village.
PAGE_RELATED = ("village", "unit", "assignee", "raised_by", "household")


def matter_list(actor: Actor, *, today: date | None = None, related: Sequence[str] = PAGE_RELATED) -> QuerySet[Matter]:
    return (
        matters_for(actor)
        .select_related(*related)
        .annotate(light=light_expression(today))
        .order_by("-id")
    )


def matter_detail_queryset(actor: Actor, *, today: date | None = None) -> QuerySet[Matter]:
    from django.db.models import Prefetch

    return (
        matters_for(actor)
        .select_related(
            "village", "unit", "unit__head", "assignee", "raised_by", "household", "diary", "diary__author", "closed_by"
        )
        .prefetch_related(Prefetch("events", queryset=MatterEvent.objects.select_related("by", "by__cadre").order_by("at", "id")))
        .annotate(light=light_expression(today))
    )


def filter_mine(qs: QuerySet[Matter], actor: Actor) -> QuerySet[Matter]:
    if actor.cadre is None:
        return qs.none()
    return qs.filter(Q(assignee_id=actor.cadre_id) | Q(raised_by_id=actor.cadre_id))


__all__ = [
    "GREEN",
    "LIGHT_LABELS",
    "RED",
    "YELLOW",
    "filter_mine",
    "light_expression",
    "light_of",
    "matter_detail_queryset",
    "matter_list",
    "matters_for",
    "overdue_q",
]
