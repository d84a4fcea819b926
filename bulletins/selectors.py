"""Reads: every bulletin list and lookup goes through `bulletins_for` (the scope, docs/design.md §4).

Drafts and approved bulletins are seen by the office, the leaders, the discipline inspector and
the county; published bulletins by everyone of the township, the reporting role included.
Anything else is absent, so lookups answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, Q, QuerySet

from cadres.models import ModelFigure
from cadres.roles import Actor
from cadres.scope import in_townships, sees_no_township

from .models import Bulletin
from .permissions import sees_drafts


def bulletins_for(actor: Actor) -> QuerySet[Bulletin]:
    qs = Bulletin.objects.select_related("township", "editor_unit")
    if sees_no_township(actor):
        return qs.none()
    qs = in_townships(qs, actor)
    if sees_drafts(actor):
        return qs
    if not actor.roles:
        return qs.none()
    return qs.filter(status=Bulletin.Status.PUBLISHED)


def bulletin_archive(actor: Actor, *, q: str = "", year: int | None = None,
                     status: str = "") -> QuerySet[Bulletin]:
    """The archive: search in the title and the text; a four-digit query also matches the year."""
    qs = bulletins_for(actor)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    q = q.strip()
    if q:
        cond = (Q(title__icontains=q) | Q(editor_note__icontains=q) | Q(narrative__icontains=q)
                | Q(outlook__icontains=q))
        if q.isdigit() and len(q) == 4:
            cond |= Q(year=int(q))
        qs = qs.filter(cond)
    return qs


def model_figures_prefetch() -> Prefetch:
    return Prefetch(
        "model_figures",
        queryset=ModelFigure.objects.select_related("cadre__unit", "village").order_by("period_start", "id"),
    )


def bulletin_detail_queryset(actor: Actor) -> QuerySet[Bulletin]:
    return bulletins_for(actor).select_related("approved_by", "published_by").prefetch_related(model_figures_prefetch())


def model_figure_choices(bulletin: Bulletin) -> QuerySet[ModelFigure]:
    """Model figures the editor may pick: the township's confirmed ones, those of the period first."""
    return ModelFigure.objects.filter(
        township_id=bulletin.township_id, status=ModelFigure.Status.CONFIRMED
    ).select_related("cadre", "village").order_by(
        "-period_end", "-id"
    )


def latest_published(actor: Actor, *, fields: Sequence[str] = ()) -> Bulletin | None:
    qs = bulletins_for(actor).filter(status=Bulletin.Status.PUBLISHED).order_by("-published_at", "-id")
    return (qs.select_related(None).only(*fields) if fields else qs).first()


def unpublished(actor: Actor) -> QuerySet[Bulletin]:
    return bulletins_for(actor).exclude(status=Bulletin.Status.PUBLISHED).order_by("-period_end", "-id")
