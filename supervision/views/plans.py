"""/plans/: village development plans (帮村发展规划) — list, draft, detail with its actions, PDF.

Pages read through supervision.selectors.plans (out of scope: 404) and write through
supervision.services.plans; the detail shows exactly the forms services.plans.allowed_actions
grants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.roles import Actor, actor_for
from cadres.scope import assigned_village_ids, cadres_for, villages_for
from core.errors import DomainError
from core.forms import add_service_errors
from supervision.forms.plans import AchievedForm, DoneForm, GoalForm, MilestoneForm, PlanForm, ReturnForm, ReviseForm
from supervision.models import Plan
from supervision.selectors import plans as sel
from supervision.services import plans as svc

from ._common import evidence_response, page_slice


def _draftable_villages(actor: Any) -> Any:
    if actor.cadre is None:
        return villages_for(actor).none()
    return villages_for(actor).filter(pk__in=assigned_village_ids(actor), is_active=True).order_by("code")


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    status = request.GET.get("status") if request.GET.get("status") in Plan.Status.values else None
    qs = sel.plan_list(actor)
    if status:
        qs = qs.filter(status=status)
    return render(request, "supervision/plans/index.html", {
        **page_slice(request, qs), "status": status, "statuses": Plan.Status.choices,
        "can_create": actor.cadre is not None and _draftable_villages(actor).exists(),
    })


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    villages = _draftable_villages(actor)
    if not villages.exists():
        raise Http404
    form = PlanForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = svc.plan_create(actor=actor, village=data["village"], title=data["title"],
                                   period_start=data["period_start"], period_end=data["period_end"],
                                   background=data["background"])
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("规划草稿已保存，请添加目标和节点。"))
            return redirect("plan-show", pk=plan.pk)
    return render(request, "supervision/plans/form.html", {"form": form, "plan": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = sel.plan_detail(actor, pk)
    if "edit" not in svc.allowed_actions(actor, plan):
        raise Http404
    initial = {"title": plan.title, "period_start": plan.period_start, "period_end": plan.period_end,
               "background": plan.background}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.plan_update(actor=actor, plan=plan, title=data["title"], background=data["background"],
                            period_start=data["period_start"], period_end=data["period_end"])
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("规划草稿已保存。"))
            return redirect("plan-show", pk=plan.pk)
    return render(request, "supervision/plans/form.html", {"form": form, "plan": plan},
                  status=400 if request.method == "POST" else 200)


def _cadres(actor: Any) -> Any:
    return cadres_for(actor).filter(is_active=True).order_by("level", "id")


def _detail(request: HttpRequest, plan: Plan, *, status: int = 200, **forms: Any) -> HttpResponse:
    actor = actor_for(request.user)
    allowed = svc.allowed_actions(actor, plan)
    milestones = list(plan.milestones.all())
    done_ok = {m.pk for m in milestones if m.is_open and svc.can_follow(actor, plan, m)} if (
        plan.status == Plan.Status.APPROVED) else set()
    context = {
        "plan": plan, "goals": list(plan.goals.all()), "milestones": milestones,
        "revisions": list(plan.revisions.all()), "allowed": allowed, "done_ok": done_ok,
        "progress_log": sel.plan_progress_log(actor, plan),
        "light_labels": sel.LIGHT_LABELS,
        "forms": {
            "goal": forms.get("goal") or GoalForm(),
            "milestone": forms.get("milestone") or MilestoneForm(cadres=_cadres(actor)),
            "done": forms.get("done") or DoneForm(),
            "achieved": forms.get("achieved") or AchievedForm(),
            "return": forms.get("return") or ReturnForm(),
            "revise": forms.get("revise") or ReviseForm(),
        },
        "error_for": forms.get("error_for"),
    }
    return render(request, "supervision/plans/detail.html", context, status=status)


@login_required
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.plan_detail(actor_for(request.user), pk))


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    actor = actor_for(request.user)
    plan = sel.plan_detail(actor, pk)
    form: Any = None
    try:
        if name == "submit":
            svc.plan_submit(actor=actor, plan=plan)
            messages.success(request, _("规划已提交审批。"))
        elif name == "approve":
            svc.plan_approve(actor=actor, plan=plan)
            messages.success(request, _("规划已审批。"))
        elif name == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                return _detail(request, plan, status=400, **{"return": form})
            svc.plan_return(actor=actor, plan=plan, note=form.cleaned_data["note"])
            messages.success(request, _("规划已退回修改。"))
        elif name == "goal":
            form = GoalForm(request.POST)
            if not form.is_valid():
                return _detail(request, plan, status=400, goal=form)
            svc.goal_add(actor=actor, plan=plan, **form.cleaned_data)
            messages.success(request, _("目标已添加。"))
        elif name == "milestone":
            form = MilestoneForm(request.POST, cadres=_cadres(actor))
            if not form.is_valid():
                return _detail(request, plan, status=400, milestone=form)
            svc.milestone_add(actor=actor, plan=plan, **form.cleaned_data)
            messages.success(request, _("节点已添加。"))
        elif name == "revise":
            form = ReviseForm(request.POST)
            if not form.is_valid():
                return _detail(request, plan, status=400, revise=form)
            data = form.cleaned_data
            added = ([{"title": data["milestone_title"], "due": data["milestone_due"]}]
                     if data["milestone_title"] or data["milestone_due"] else [])
            svc.plan_revise(actor=actor, plan=plan, reason=data["reason"], title=data["title"] or None,
                            period_end=data["period_end"], add_milestones=added)
            messages.success(request, _("修订已记录。"))
        else:
            raise Http404
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
        else:
            add_service_errors(form, exc)
            return _detail(request, sel.plan_detail(actor, pk), status=400, **{name: form})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("plan-show", pk=plan.pk)


def _plan_form_post(request: HttpRequest, actor: Actor, plan_id: int, form: forms.Form,
                    change: Callable[[dict[str, Any]], Any], success: str, forms_shown: dict[str, Any]) -> HttpResponse:
    """A form of a milestone or goal row posted to its service: a bad form or a field error shows
    the plan again with `forms_shown` (400); a refusal or a state the step no longer fits is a
    message on the plan page, as is success."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("plan-show", pk=plan_id)
        else:
            messages.success(request, success)
            return redirect("plan-show", pk=plan_id)
    return _detail(request, sel.plan_detail(actor, plan_id), status=400, **forms_shown)


@login_required
@require_POST
def milestone_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    milestone = get_object_or_404(sel.milestones_for(actor), pk=pk)
    form = DoneForm(request.POST, request.FILES)
    return _plan_form_post(
        request, actor, milestone.plan_id, form,
        lambda data: svc.milestone_done(actor=actor, milestone=milestone, note=data["note"],
                                        evidence=data["evidence"] or None),
        _("节点已标记完成。"), {"done": form, "error_for": pk})


@login_required
@require_POST
def goal_achieved_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    from supervision.models import PlanGoal

    goal = get_object_or_404(PlanGoal.objects.filter(plan__in=sel.plans_for(actor).values("pk")), pk=pk)
    form = AchievedForm(request.POST)
    return _plan_form_post(
        request, actor, goal.plan_id, form, lambda data: svc.goal_update_achieved(actor=actor, goal=goal, **data),
        _("完成值已更新。"), {"achieved": form})


@login_required
def milestone_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, only for those who may see the plan (never through MEDIA_URL)."""
    milestone = get_object_or_404(sel.milestones_for(actor_for(request.user)).exclude(evidence=""), pk=pk)
    return evidence_response(milestone.evidence)


@login_required
def plan_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    from supervision.pdf_plan import render_plan_html

    plan = sel.plan_detail(actor_for(request.user), pk)
    return HttpResponse(render_plan_html(plan, pdf=False, today=timezone.localdate()))


@login_required
def plan_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    from supervision.pdf_plan import render_plan_pdf

    plan = sel.plan_detail(actor_for(request.user), pk)
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.pk}.pdf"'
    return response
