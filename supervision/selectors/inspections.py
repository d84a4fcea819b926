"""Who sees which inspection (docs/design.md §4).

The inspectors (纪委) and the leaders see the township's inspections; the office sees them except
unannounced ones not yet published (通报); the subject — the cadre, the unit's head, the village's
cadres — sees an inspection about itself once it is published; nobody else sees any.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cadres.models import Cadre
from cadres.roles import Actor, Role
from cadres.scope import NOTHING, narrowed
from supervision.models import Inspection, InspectionFinding, Matter

LIST_RELATED = ("subject_cadre", "subject_unit", "subject_village")
CONFIDENTIAL = Q(kind=Inspection.Kind.UNANNOUNCED, published_at__isnull=True)


# The list's order; the page's statement (supervision.api.serializers.inspections) writes it.
LIST_ORDER = ("-date", "-id")


def inspections_scope_key(actor: Actor) -> tuple[Any, ...]:
    """Everything inspections_for narrows by, as one hashable value (cadres.scope.scope_key's form):
    two log-ins with equal keys see the same inspections (core.query_memo)."""
    if actor.township_ids is not None and not actor.township_ids:
        return NOTHING
    if actor.is_superuser or actor.has(Role.COUNTY, Role.INSPECTOR, Role.LEADER):
        return ("rows", actor.township_ids, None)
    cadre = actor.cadre
    # The subject a cadre may be: themselves, the units they head, their village (village cadres).
    subject = None if cadre is None else (
        cadre.pk, actor.unit_ids_headed,
        cadre.village_id if cadre.level == Cadre.Level.VILLAGE else None,
    )
    return ("rows", actor.township_ids, (actor.has(Role.OFFICE), subject))


def inspections_in_scope(key: tuple[Any, ...], qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    """`qs` (every inspection by default) narrowed to a scope key's inspections."""
    return narrowed(Inspection.objects.all() if qs is None else qs, key, condition=_own_q)


def _own_q(own: tuple[bool, tuple[int, frozenset[int], int | None] | None]) -> Q:
    office, subject = own
    cond = Q(published_at__isnull=False) & _subject_q(subject)
    if office:
        cond |= ~CONFIDENTIAL
    return cond


def _subject_q(subject: tuple[int, frozenset[int], int | None] | None) -> Q:
    if subject is None:
        return Q(pk__in=[])
    cadre_id, unit_ids, village_id = subject
    cond = Q(subject_cadre_id=cadre_id)
    if unit_ids:
        cond |= Q(subject_unit_id__in=unit_ids)
    if village_id:
        cond |= Q(subject_village_id=village_id)
    return cond


def inspections_for(actor: Actor, qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    return inspections_in_scope(inspections_scope_key(actor), qs)


def inspection_list(actor: Actor, *, kind: str | None = None, open_only: bool = False) -> QuerySet[Inspection]:
    qs = inspections_for(actor).select_related(*LIST_RELATED).prefetch_related("inspectors", "findings")
    if kind:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs.order_by(*LIST_ORDER)


def inspection_detail(actor: Actor, pk: int) -> Inspection:
    qs = inspections_for(actor).select_related(*LIST_RELATED, "subject_unit__head", "created_by").prefetch_related(
        "inspectors",
        Prefetch("findings", queryset=InspectionFinding.objects.prefetch_related(
            Prefetch("matters", queryset=Matter.objects.only("pk", "finding_id", "status"))).order_by("id")),
    )
    return get_object_or_404(qs, pk=pk)


def finding_for(actor: Actor, pk: int) -> InspectionFinding:
    return get_object_or_404(
        InspectionFinding.objects.filter(inspection__in=inspections_for(actor)).select_related("inspection"), pk=pk)
