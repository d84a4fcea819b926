"""/inspections/: the inspectors record inspections and findings, publish (通报) and close them;
leaders read; the office reads what is not confidential; a subject reads and answers its own
published findings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.roles import actor_for
from cadres.scope import cadres_for, units_for, villages_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.views import form_state_change, state_change
from supervision.forms.inspections import FindingForm, InspectionForm, RaiseMatterForm, RectificationForm
from supervision.models import Inspection
from supervision.selectors import inspections as sel
from supervision.services import inspections as svc


@login_required
def inspection_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    kind = request.GET.get("kind") if request.GET.get("kind") in Inspection.Kind.values else None
    open_only = request.GET.get("open") == "1"
    page_obj = Paginator(sel.inspection_list(actor, kind=kind, open_only=open_only), 30).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("kind", kind), ("open", "1" if open_only else None)) if v)
    return render(request, "supervision/inspections/index.html", {
        "page_obj": page_obj, "kind": kind, "open_only": open_only, "kinds": Inspection.Kind.choices,
        "can_create": svc.is_inspector(actor), "query": query,
    })


def _inspection_form(actor: Any, data: Any = None) -> InspectionForm:
    return InspectionForm(
        data, cadres=cadres_for(actor).filter(is_active=True).order_by("id"),
        units=units_for(actor).filter(is_active=True), villages=villages_for(actor).filter(is_active=True),
    )


@login_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not svc.is_inspector(actor):
        raise Http404
    form = _inspection_form(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = svc.inspection_create(
                actor=actor_for(request.user), date=data["date"], kind=data["kind"], title=data["title"], subject=form.subject(),
                inspectors=list(data["inspectors"]), summary=data["summary"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("督查已登记。"))
            return redirect("inspection-show", pk=inspection.pk)
    return render(request, "supervision/inspections/form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _detail(request: HttpRequest, inspection: Inspection, **extra: Any) -> HttpResponse:
    actor = actor_for(request.user)
    inspector = svc.is_inspector(actor, inspection.township_id)
    subject = bool(inspection.published_at) and svc.is_subject(actor, inspection)
    open_ = inspection.closed_at is None
    context = {
        "inspection": inspection, "findings": list(inspection.findings.all()), "inspector": inspector,
        "can_answer": open_ and (inspector or subject),
        "finding_form": extra.pop("finding_form", None) or (FindingForm() if inspector and open_ else None),
        "matter_form": RaiseMatterForm(villages=villages_for(actor).filter(is_active=True))
        if inspector and not inspection.confidential else None,
        "rectification_form": RectificationForm(),
    }
    context.update(extra)
    return render(request, "supervision/inspections/detail.html", context,
                  status=400 if request.method == "POST" else 200)


@login_required
def inspection_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.inspection_detail(actor_for(request.user), pk))


@login_required
@require_POST
def finding_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = sel.inspection_detail(actor_for(request.user), pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            svc.inspection_add_finding(inspection=inspection, actor=actor_for(request.user), **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("督查问题已添加。"))
            return redirect("inspection-show", pk=pk)
    return _detail(request, inspection, finding_form=form)


def _simple(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    actor = actor_for(request.user)
    inspection = sel.inspection_detail(actor, pk)
    return state_change(request, lambda: action(inspection=inspection, actor=actor), done,
                        reverse("inspection-show", args=[pk]))


@login_required
@require_POST
def inspection_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple(request, pk, svc.inspection_publish, _("已通报，被督查对象将收到通知。"))


@login_required
@require_POST
def inspection_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple(request, pk, svc.inspection_close, _("督查已结案。"))


@login_required
@require_POST
def finding_rectification_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    finding = sel.finding_for(actor, pk)
    return form_state_change(
        request, RectificationForm(request.POST),
        lambda data: svc.finding_report_rectification(finding=finding, report=data["report"], actor=actor),
        _("整改情况已报送。"), reverse("inspection-show", args=[finding.inspection_id]),
        invalid=_("请填写整改情况（不超过5000字）。"))


@login_required
@require_POST
def finding_matter_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    finding = sel.finding_for(actor, pk)
    form = RaiseMatterForm(request.POST, villages=villages_for(actor).filter(is_active=True))
    if form.is_valid():
        try:
            matter = svc.finding_raise_matter(finding=finding,
                actor=actor_for(request.user), village=form.cleaned_data["village"],
                                              category=form.cleaned_data["category"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已转入问题台账（#%(id)s）。") % {"id": matter.pk})
    else:
        messages.error(request, _("请选择村和类别。"))
    return redirect("inspection-show", pk=finding.inspection_id)
