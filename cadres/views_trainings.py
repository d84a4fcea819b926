"""Trainings (/trainings/): a cadre's own trainings and attendance; the office records attendance
by ticking names (/trainings/<id>/attendance/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError

from .models import Cadre, TrainingAttendance
from .roles import actor_for
from .scope import trainings_for
from .services.places import may_record_attendance, training_attendance_record


@login_required
@require_GET
def trainings(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if actor.is_nobody:
        raise Http404
    mine = []
    hours = None
    if actor.cadre is not None:
        mine = list(
            TrainingAttendance.objects.filter(cadre_id=actor.cadre_id).select_related("training", "training__village")
            .order_by("-training__date", "-training_id")
        )
        year = timezone.localdate().year
        hours = sum((a.training.hours for a in mine if a.present and a.training.date.year == year), start=0)
    office = may_record_attendance(actor)
    township_trainings = []
    if office:
        township_trainings = list(
            trainings_for(actor).select_related("village", "township")
            .annotate(n_present=Count("attendance", filter=Q(attendance__present=True)))
            .order_by("-date", "-id")[:100]
        )
    return render(request, "cadres/trainings.html", {
        "mine": mine, "hours": hours, "office": office, "township_trainings": township_trainings,
    })


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    if not may_record_attendance(actor):
        raise Http404
    training = get_object_or_404(trainings_for(actor), pk=pk)
    error = ""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        try:
            n = training_attendance_record(actor=actor, training=training, present_ids=ids)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("已登记出勤：%(n)s 人到场。") % {"n": n})
            return redirect("trainings")
    present = set(
        TrainingAttendance.objects.filter(training=training, present=True).values_list("cadre_id", flat=True)
    )
    cadres = list(
        Cadre.objects.filter(township_id=training.township_id, is_active=True)
        .select_related("unit", "village").order_by("level", "unit__name", "village__name", "name", "id")
    )
    groups: dict[str, list[Cadre]] = {}
    for cadre in cadres:
        label = cadre.unit.name if cadre.unit else (cadre.village.name if cadre.village else _("其他"))
        groups.setdefault(label, []).append(cadre)
    return render(request, "cadres/training_attendance.html", {
        "training": training, "groups": groups, "present": present, "error": error,
        "total_present": len(present),
    }, status=400 if error else 200)
