"""/pledges/: my pledges to sign or report on, the chain as a tree, a pledge, its printable copy."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.roles import Role, actor_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.views import state_change
from supervision.forms.pledges import PledgeAssessForm, PledgeIssueForm, PledgeProgressForm, PledgeScanForm
from supervision.models import Pledge, PledgeLevel
from supervision.pdf_pledge import render_pledge_pdf
from supervision.quarters import current_quarter
from supervision.selectors import pledges as sel
from supervision.services import pledges as svc

CHAIN_ROLES = (Role.LEADER, Role.OFFICE, Role.INSPECTOR, Role.COUNTY, Role.LEADER_IN_CHARGE, Role.UNIT_HEAD)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def pledge_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    year = _year(request)
    context: dict[str, Any] = {"year": year, "years": range(timezone.localdate().year + 1, 2019, -1),
                               "mine": sel.my_pledges(actor, year=year), "can_issue": actor.has(Role.OFFICE)}
    if actor.has(*CHAIN_ROLES):
        chain = sel.pledge_chain(actor, year=year)
        context["chain"] = chain
        context["status_counts"] = [(v, label, chain.counts[v]) for v, label in Pledge.Status.choices]
    else:
        context["visible"] = list(sel.pledge_list(actor, year=year))
    return render(request, "supervision/pledges/index.html", context)


@login_required
def pledge_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    pledge = sel.pledge_detail(actor, pk)
    return render(request, "supervision/pledges/detail.html", _detail_context(request, pledge))


def _detail_context(request: HttpRequest, pledge: Pledge, **extra: Any) -> dict[str, Any]:
    actor = actor_for(request.user)
    signer = svc.is_pledger_signer(pledge, actor.cadre)
    targets = list(pledge.targets.all())
    quarters = range(1, 5)
    for target in targets:
        by_quarter = {p.quarter: p for p in target.progress.all()}
        target.quarters = [by_quarter.get(q) for q in quarters]  # type: ignore[attr-defined]
    context = {
        "pledge": pledge,
        "targets": targets,
        "quarters": quarters,
        "base_total": svc.base_points_total(targets),
        "can_sign": signer and pledge.status == Pledge.Status.ISSUED,
        "can_countersign": actor.cadre_id == pledge.superior_id and pledge.status == Pledge.Status.SIGNED,
        "can_report": signer and pledge.status == Pledge.Status.COUNTERSIGNED,
        "can_scan": svc.may_attach_scan(pledge, actor) and pledge.status not in (Pledge.Status.DRAFT,
                                                                                 Pledge.Status.ISSUED),
        "can_assess": actor.has(Role.OFFICE) and pledge.status == Pledge.Status.COUNTERSIGNED,
        "waiting": sel.waiting_on(pledge),
        "history": pledge.history.select_related("history_user").order_by("-history_date")[:20],
    }
    if context["can_report"] and "progress_form" not in extra:
        context["progress_form"] = PledgeProgressForm(pledge=pledge, initial={"quarter": current_quarter().quarter})
    if context["can_scan"] and "scan_form" not in extra:
        context["scan_form"] = PledgeScanForm()
    context.update(extra)
    return context


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    actor = actor_for(request.user)
    pledge = get_object_or_404(sel.pledges_for(actor), pk=pk)
    return state_change(request, lambda: action(pledge=pledge, actor=actor), done, reverse("pledge-show", args=[pk]))


@login_required
@require_POST
def pledge_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, svc.pledge_sign, _("已签署责任书，等待会签。"))


@login_required
@require_POST
def pledge_countersign_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, svc.pledge_countersign, _("已会签，责任书生效。"))


@login_required
@require_POST
def pledge_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    pledge = sel.pledge_detail(actor, pk)
    form = PledgeProgressForm(request.POST, pledge=pledge)
    if form.is_valid():
        try:
            svc.pledge_report_progress(target=form.cleaned_data["target"], quarter=form.cleaned_data["quarter"],
                                       report=form.cleaned_data["report"], actor=actor_for(request.user))
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("季度进展已保存。"))
            return redirect("pledge-show", pk=pk)
    return render(request, "supervision/pledges/detail.html", _detail_context(request, pledge, progress_form=form),
                  status=400)


@login_required
def pledge_scan_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the scan, to those who may see the pledge. POST: attach a scan."""
    actor = actor_for(request.user)
    pledge = sel.pledge_detail(actor, pk)
    if request.method != "POST":
        if not pledge.scan:
            raise Http404
        name = pledge.scan.name.rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        # FileResponse names the file by RFC 6266 (filename*=utf-8''…): a Chinese name stays readable.
        return FileResponse(pledge.scan.open("rb"), content_type=content_type, filename=name)
    form = PledgeScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.pledge_attach_scan(pledge=pledge, upload=form.cleaned_data["scan"], actor=actor_for(request.user))
        except DomainError as exc:
            form.add_error("scan", exc.message)
        else:
            messages.success(request, _("扫描件已上传。"))
            return redirect("pledge-show", pk=pk)
    return render(request, "supervision/pledges/detail.html", _detail_context(request, pledge, scan_form=form),
                  status=400)


@login_required
def pledge_assess_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    pledge = sel.pledge_detail(actor, pk)
    if not actor.has(Role.OFFICE):
        raise Http404
    targets = list(pledge.targets.all())
    form = PledgeAssessForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            svc.pledge_assess(pledge=pledge, results=form.results(), actor=actor_for(request.user))
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("考核结果已保存。"))
            return redirect("pledge-show", pk=pk)
    auto_targets = []
    village_id = pledge.pledger_village_id
    if village_id is not None:
        auto_targets = [t for t in targets if t.auto_source in ("disclosure", "plan")]
        for t in auto_targets:
            t.auto_score = (  # type: ignore[attr-defined]
                svc.plan_target_score(village_id=village_id, year=pledge.year, points=t.points)
                if t.auto_source == "plan" else
                svc.disclosure_target_score(village_id=village_id, year=pledge.year, points=t.points,
                                            township_id=pledge.township_id))
    return render(request, "supervision/pledges/assess.html",
                  {"pledge": pledge, "form": form, "auto_targets": auto_targets},
                  status=400 if request.method == "POST" else 200)


@login_required
def pledge_issue_view(request: HttpRequest) -> HttpResponse:
    """The office issues a template's pledges to the pledgers it chooses."""
    actor = actor_for(request.user)
    if not actor.has(Role.OFFICE):
        raise Http404
    templates = list(sel.templates_for(actor))
    template = None
    raw = request.POST.get("template") or request.GET.get("template")
    if raw:
        template = next((t for t in templates if str(t.pk) == raw), None)
        if template is None:
            raise Http404
    form = None
    if template is not None:
        candidates = sel.eligible_pledgers(template)
        form = PledgeIssueForm(request.POST if request.method == "POST" else None, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                created = svc.pledge_issue_from_template(
                    template=template, pledgers=form.chosen(), actor=actor_for(request.user), issue=form.cleaned_data["issue"],
                    bonus_cap=form.cleaned_data["bonus_cap"])
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已生成%(n)s份责任书。") % {"n": len(created)})
                return redirect(f"{reverse('pledges')}?year={template.year}")
    return render(request, "supervision/pledges/issue.html", {
        "templates": templates, "template": template, "form": form, "levels": PledgeLevel.choices,
        "template_total": svc.base_points_total(template.targets.all()) if template else None,
    }, status=400 if request.method == "POST" else 200)


@login_required
def pledge_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = sel.pledge_detail(actor_for(request.user), pk)
    return render(request, "supervision/pledges/print.html", {"pledge": pledge, "targets": list(pledge.targets.all()),
                                                              "pdf": False})


@login_required
def pledge_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = sel.pledge_detail(actor_for(request.user), pk)
    pdf = render_pledge_pdf(pledge)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"pledge-{pledge.year}-{pledge.pk}.pdf") or ""
    return response
