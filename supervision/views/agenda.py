"""The committee's agenda beyond single ideas: the groups of recurring problems (一类事, /agenda/groups/),
one agenda item with its consultation, decision and publication (/agenda/<pk>/), and an item the
office enters (/agenda/new/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.roles import Actor, actor_for
from cadres.scope import villages_for
from core.errors import DomainError, NotAllowed
from core.forms import add_service_errors
from core.views import form_to_service, refused
from supervision.forms.agenda import ConsultationForm, DecisionForm, ItemForm, PeriodForm, PublishForm
from supervision.models import AgendaItem, ProblemGroup
from supervision.selectors import diaries as diary_sel
from supervision.selectors import problem_groups as sel
from supervision.services import agenda as services
from supervision.services.problem_groups import may_run_grouping, month_of, problem_groups_start


def _page_actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not sel.group_page_allowed(actor):
        raise Http404
    return actor


def _period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    start, end = month_of(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@login_required
def group_index(request: HttpRequest) -> HttpResponse:
    actor = _page_actor(request)
    form, start, end = _period(request)
    groups = list(sel.groups_for(actor, start=start, end=end)[:100]) if not form.errors else []
    return render(request, "supervision/agenda/groups.html", {
        "form": form, "groups": groups, "start": start, "end": end,
        "can_run": may_run_grouping(actor),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def group_run(request: HttpRequest) -> HttpResponse:
    actor = _page_actor(request)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("problem-groups")
    try:
        job = problem_groups_start(actor=actor, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    except NotAllowed as exc:
        return refused(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("problem-groups")
    return redirect("job", pk=job.pk)


def _group_context(actor: Actor, group: ProblemGroup) -> dict[str, Any]:
    return {
        "group": group,
        "diaries": list(sel.group_diaries(actor, group)),
        "matters": list(sel.group_matters(actor, group)),
        "item": group.agenda_item,
        "can_adopt": group.agenda_item_id is None and services.can_adopt_group(actor),
    }


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _page_actor(request)
    group = get_object_or_404(sel.groups_for(actor), pk=pk)
    return render(request, "supervision/agenda/group.html", _group_context(actor, group))


@login_required
@require_POST
def group_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _page_actor(request)
    group = get_object_or_404(sel.groups_for(actor), pk=pk)
    try:
        item = services.group_adopt(actor=actor, group=group, title=request.POST.get("title", ""))
    except NotAllowed as exc:
        return refused(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("problem-group-show", group.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("problem-group-show", group.pk)
    messages.success(request, _("已列入党委议题。"))
    return redirect("agenda-show", item.pk)


# --- one agenda item ------------------------------------------------------------------------


def _item(actor: Actor, pk: int) -> AgendaItem:
    return get_object_or_404(diary_sel.agenda_for(actor), pk=pk)


def _item_context(actor: Actor, item: AgendaItem, **forms: Any) -> dict[str, Any]:
    pending = item.status == AgendaItem.Status.PENDING
    can_decide = services.can_decide(actor)
    group = getattr(item, "problem_group", None)
    initial = {}
    if item.consultation_recorded_at:
        initial = {"method": item.consultation_method, "from_whom": item.consultation_from,
                   "summary": item.consultation_summary, "start": item.consultation_start,
                   "end": item.consultation_end}
    context: dict[str, Any] = {
        "item": item, "group": group,
        "can_mark": pending and can_decide,
        "can_consult": pending and can_decide and item.is_major,
        "can_decide": pending and can_decide,
        "needs_consultation": item.is_major and item.consultation_recorded_at is None,
        "can_publish": item.status == AgendaItem.Status.DECIDED and item.disclosure_id is None
        and services.can_publish(actor),
        "consultation_form": ConsultationForm(initial=initial), "decision_form": DecisionForm(),
    }
    context.update(forms)
    return context


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = _item(actor, pk)
    return render(request, "supervision/agenda/item.html", _item_context(actor, item))


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not services.can_enter_item(actor):
        raise Http404
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.agenda_item_create(actor=actor, title=form.cleaned_data["title"],
                                               is_major=form.cleaned_data["is_major"])
        except NotAllowed as exc:
            return refused(request, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("议题已登记。"))
            return redirect("agenda-show", item.pk)
    return render(request, "supervision/agenda/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def item_major(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = _item(actor, pk)
    try:
        services.agenda_mark_major(actor=actor, item=item, is_major=request.POST.get("is_major") == "1")
    except NotAllowed as exc:
        return refused(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("agenda-show", item.pk)


def _item_form_post(request: HttpRequest, actor: Actor, item: AgendaItem, *, form: forms.Form, form_key: str,
                    change: Callable[[dict[str, Any]], Any], done: str) -> HttpResponse:
    """A form of the item page (consultation, decision) posted to its service; on an error the
    item page again (400) with the errors on that form."""
    return form_to_service(
        request, form, change, done=done, then=reverse("agenda-show", args=[item.pk]),
        again=lambda: render(request, "supervision/agenda/item.html", _item_context(actor, item, **{form_key: form}),
                             status=400))


@login_required
@require_POST
def item_consultation(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = _item(actor, pk)
    return _item_form_post(
        request, actor, item, form=ConsultationForm(request.POST), form_key="consultation_form",
        change=lambda data: services.agenda_consultation_record(
            actor=actor, item=item, method=data["method"], from_whom=data["from_whom"], summary=data["summary"],
            start=data["start"], end=data["end"]),
        done=_("征求意见情况已登记。"))


@login_required
@require_POST
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = _item(actor, pk)
    return _item_form_post(
        request, actor, item, form=DecisionForm(request.POST), form_key="decision_form",
        change=lambda data: services.agenda_decide(actor=actor, item=item, decision=data["decision"],
                                                   meeting_date=data["meeting_date"]),
        done=_("决策已记录，已通知反映问题的干部。"))


@login_required
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from a decision to a posted 党务/政务 disclosure: the draft is prefilled from the
    decision; the office edits and posts it."""
    actor = actor_for(request.user)
    item = _item(actor, pk)
    if not services.can_publish(actor):
        raise Http404
    if item.status != AgendaItem.Status.DECIDED or item.disclosure_id is not None:
        return refused(request, _("只有已决策且尚未公开的议题可以发布决策公开。"), status=400)
    villages = villages_for(actor).filter(is_active=True, township_id=item.township_id).order_by("code")
    draft = services.decision_draft(item)
    form = PublishForm(request.POST or None, villages=villages, initial={
        **draft, "posted_on": timezone.localdate(), "display_days": 10})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = services.agenda_publish(
                actor=actor, item=item, subject_kind=data["subject_kind"], village=data["village"],
                domain=data["domain"], title=data["title"],
                content=data["content"], posted_on=data["posted_on"], channel=data["channel"],
                display_days=data["display_days"])
        except NotAllowed as exc:
            return refused(request, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("决策已公开。"))
            return redirect("disclosure-show", disclosure.pk)
    return render(request, "supervision/agenda/publish.html", {"item": item, "form": form},
                  status=400 if form.errors else 200)


@login_required
def assessment_notice(request: HttpRequest) -> HttpResponse:
    """考核结果公示: the office posts the year's assessment results with a display period and a
    channel for objections; the list is built from the assessed pledges."""
    from supervision.forms.agenda import AssessmentNoticeForm
    from supervision.services.assessment_notice import assessment_results_publish, can_publish_results

    actor = actor_for(request.user)
    if not can_publish_results(actor):
        raise Http404
    today = timezone.localdate()
    villages = villages_for(actor).filter(is_active=True).order_by("code")
    form = AssessmentNoticeForm(request.POST or None, villages=villages, initial={
        "year": today.year - 1 if today.month < 3 else today.year, "posted_on": today, "display_days": 10})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = assessment_results_publish(
                actor=actor, year=data["year"], village=data["village"], posted_on=data["posted_on"],
                display_days=data["display_days"], objection_channel=data["objection_channel"],
                channel=data["channel"])
        except NotAllowed as exc:
            return refused(request, exc.message)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("考核结果已公示。"))
            return redirect("disclosure-show", disclosure.pk)
    return render(request, "supervision/agenda/assessment_notice.html", {"form": form},
                  status=400 if form.errors else 200)
