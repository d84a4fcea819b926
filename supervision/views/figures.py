"""Proposing a model figure (典型) from a diary or a matter: a short prefilled form, then
cadres.services.figures.model_figure_propose (status proposed; the office confirms it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cadres.roles import Actor, actor_for
from cadres.scope import cadres_for
from cadres.services.figures import may_propose_figure, model_figure_propose
from core.errors import DomainError
from core.forms import add_service_errors

from ..forms.figures import FigureProposalForm
from . import diaries as diary_views
from . import matters as matter_views


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                 else start.replace(month=start.month + 1))
    return start, date.fromordinal(following.toordinal() - 1)


def _propose(request: HttpRequest, actor: Actor, *, township_id: int, village: Any, initial: dict[str, Any],
             source: str, back: str) -> HttpResponse:
    cadres = cadres_for(actor).filter(township_id=township_id, is_active=True).order_by("name", "id")
    if request.method == "POST":
        form = FigureProposalForm(request.POST, cadres=cadres)
        if form.is_valid():
            data = form.cleaned_data
            try:
                model_figure_propose(
                    actor=actor, township_id=township_id, title=data["title"], story=data["story"],
                    period_start=data["period_start"], period_end=data["period_end"], cadre=data["cadre"],
                    villager_name=data["villager_name"], village=village, source=source,
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已推荐为典型，待党政办确认后可编入简报。"))
                return redirect(back)
        status = 400
    else:
        form = FigureProposalForm(initial=initial, cadres=cadres)
        status = 200
    return render(request, "supervision/figure_propose.html",
                  {"form": form, "source": source, "back": back, "village": village}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def propose_from_diary(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    diary = diary_views._get_visible(actor, pk)
    if not may_propose_figure(actor):
        raise Http404
    start, end = _month(diary.date)
    source = _("%(name)s %(day)s 的民情日记") % {"name": diary.author.name, "day": diary.date.isoformat()}
    initial = {"title": "", "cadre": diary.author_id, "story": diary.situation, "period_start": start,
               "period_end": end}
    return _propose(request, actor, township_id=diary.township_id, village=diary.village, initial=initial,
                    source=source, back=reverse("diary-show", args=[diary.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def propose_from_matter(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    matter = matter_views._get_visible(actor, pk)
    if not may_propose_figure(actor):
        raise Http404
    day = timezone.localtime(matter.resolved_at or matter.created_at).date()
    start, end = _month(day)
    source = _("问题台账 #%(id)s") % {"id": matter.pk}
    story = "\n\n".join(t for t in (matter.description, matter.resolution) if t)
    initial = {"title": "", "cadre": matter.assignee_id, "story": story, "period_start": start, "period_end": end}
    return _propose(request, actor, township_id=matter.township_id, village=matter.village, initial=initial,
                    source=source, back=reverse("matter-show", args=[matter.pk]))
