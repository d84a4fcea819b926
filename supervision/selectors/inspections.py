"""Who sees which inspection (docs/design.md §4).

The inspectors (纪委) and the leaders see the township's inspections; the office sees them except
unannounced ones not yet published (通报); the subject — the cadre, the unit's head, the village's
cadres — sees an inspection about itself once it is published; nobody else sees any.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cadres.models import Cadre
from cadres.roles import Actor, Role
from cadres.scope import in_townships
from supervision.models import Inspection, InspectionFinding, Matter

LIST_RELATED = ("subject_cadre", "subject_unit", "subject_village")
CONFIDENTIAL = Q(kind=Inspection.Kind.UNANNOUNCED, published_at__isnull=True)


def subject_q(actor: Actor) -> Q:
    cadre = actor.cadre
    if cadre is None:
        return Q(pk__in=[])
    cond = Q(subject_cadre_id=cadre.pk)
    if actor.unit_ids_headed:
        cond |= Q(subject_unit_id__in=actor.unit_ids_headed)
    if cadre.level == Cadre.Level.VILLAGE and cadre.village_id:
        cond |= Q(subject_village_id=cadre.village_id)
    return cond


def inspections_for(actor: Actor, qs: QuerySet[Inspection] | None = None) -> QuerySet[Inspection]:
    qs = Inspection.objects.all() if qs is None else qs
    if actor.township_ids is not None and not actor.township_ids:
        return qs.none()
    qs = in_townships(qs, actor)
    if actor.is_superuser or actor.has(Role.COUNTY, Role.INSPECTOR, Role.LEADER):
        return qs
    cond = Q(published_at__isnull=False) & subject_q(actor)
    if actor.has(Role.OFFICE):
        cond |= ~CONFIDENTIAL
    return qs.filter(cond)


def inspection_list(actor: Actor, *, kind: str | None = None, open_only: bool = False) -> QuerySet[Inspection]:
    qs = inspections_for(actor).select_related(*LIST_RELATED).prefetch_related("inspectors", "findings")
    if kind:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs.order_by("-date", "-id")


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
