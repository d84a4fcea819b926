"""Matter pages: the list with deadline lights, registering a matter, one matter with its
timeline and the action forms for whoever may act, and its evidence (served by scope only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.models import Cadre, Unit
from cadres.roles import Actor, Role, actor_for
from cadres.scope import household_name_for, villages_for, villages_of
from cadres.services.figures import may_propose_figure
from core.errors import DomainError, NotAllowed
from core.forms import add_service_errors
from core.views import refused
from supervision.forms.matters import AssignForm, CloseForm, MatterFilterForm, MatterForm, ResolveForm, RevisitForm
from supervision.models import Matter
from supervision.search import matter_snippet, search_matters
from supervision.selectors import diaries as diary_sel
from supervision.selectors import matters as sel
from supervision.selectors.problem_groups import decisions_for_matter
from supervision.services import matters as services

from ._common import evidence_response, page_slice, searched

ACTION_FORMS: dict[str, Any] = {
    "assign": AssignForm, "start": None, "resolve": ResolveForm, "revisit": RevisitForm, "close": CloseForm,
}


@login_required
def matter_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    today = timezone.localdate()
    qs = sel.matter_list(actor, today=today)
    # The filter offers only the villages of the matters the viewer may see.
    filters = MatterFilterForm(request.GET or None, villages=villages_of(qs))
    groups: list[list[str]] = []
    if filters.is_valid():
        data = filters.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["light"]:
            qs = qs.filter(light=data["light"])
        if data["village"]:
            qs = qs.filter(village=data["village"])
        if data["mine"]:
            qs = sel.filter_mine(qs, actor)
        if data["unassigned"]:  # sent to a unit, nobody named yet: the unit head's to-do
            qs = qs.filter(assignee__isnull=True, status__in=(Matter.Status.ASSIGNED, Matter.Status.IN_PROGRESS))
        if data["q"]:
            qs, groups = searched(filters, qs, lambda rows, g: search_matters(
                rows, g, township_id=actor.township_id).order_by("-search_rank", "-id"))
    elif filters.is_bound:
        qs = qs.none()  # a village or unit outside the offered ones (or a bad date) matches nothing
    page = page_slice(request, qs)
    for matter in page["rows"]:
        matter.snippet = matter_snippet(matter, groups) if groups else None
    context = {"filters": filters, "can_create": services.can_create(actor), **page}
    for matter in page["rows"]:
        matter.days_overdue = sel.overdue_days(matter, today)
    return render(request, "supervision/matters/index.html", context)


def _matter_form(request: HttpRequest, actor: Actor) -> MatterForm:
    today = timezone.localdate()
    if actor.cadre is not None:
        villages = diary_sel.village_choices(actor.cadre, today=today)
        households = diary_sel.household_choices(actor.cadre, today=today)
        if Role.VILLAGE_CADRE in actor.roles and not actor.township_wide:
            villages = ([v for v in villages[0] if v.pk == actor.cadre.village_id], [])
    else:
        villages = ([], list(villages_for(actor).filter(is_active=True).order_by("code")))
        households = ([], [])
    return MatterForm(request.POST or None, villages=villages, households=households)


@login_required
def matter_new(request: HttpRequest) -> HttpResponse:
    """Register a matter from a 12345 call, a petition, an inspection or a villager's query."""
    actor = actor_for(request.user)
    if not services.can_create(actor):
        return refused(request, _("只有干部或党政办可以登记问题。"))
    form = _matter_form(request, actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.matter_create(
                actor=actor, source=data["source"], external_ref=data["external_ref"], village=data["village"],
                household=data["household"], category=data["category"], description=data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            return refused(request, exc.message)
        else:
            messages.success(request, _("问题已登记，等待交办。"))
            return redirect("matter-show", matter.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/matters/form.html", {"form": form}, status=status)


def _assign_form(actor: Actor, matter: Matter, data: Any = None) -> AssignForm:
    units = Unit.objects.filter(township_id=matter.township_id, is_active=True).order_by("id")
    if not actor.has(Role.OFFICE, Role.LEADER):
        units = units.filter(pk__in=actor.unit_ids_headed)
    cadres = (
        Cadre.objects.filter(unit__in=units, is_active=True, level=Cadre.Level.TOWNSHIP)
        .select_related("unit")
        .order_by("unit_id", "id")
    )
    initial = {"unit": matter.unit_id, "assignee": matter.assignee_id, "deadline": matter.deadline}
    return AssignForm(data, units=units, cadres=cadres, initial=initial)


def _context(actor: Actor, matter: Matter, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    allowed = services.allowed_actions(actor, matter)
    built: dict[str, Any] = {}
    for action in allowed:
        cls = ACTION_FORMS[action]
        if action == "assign":
            built[action] = _assign_form(actor, matter)
        elif cls is not None:
            built[action] = cls()
    built.update(forms or {})
    return {"matter": matter, "allowed": allowed, "forms": built, "events": list(matter.events.all()),
            "household_name": household_name_for(actor, matter.household) if matter.household else "",
            "light_label": sel.LIGHT_LABELS.get(getattr(matter, "light", ""), ""),
            "revisit_is_current": _revisit_is_current(matter), "can_propose_figure": may_propose_figure(actor),
            # Decisions on the groups of recurring problems the matter belongs to (一类事).
            "group_decisions": decisions_for_matter(matter)}


def _revisit_is_current(matter: Matter) -> bool:
    """A revisit stays the matter's result until the matter is resolved again: after 退回 the
    不满意 says why it is back; once resolved anew, the new resolution waits for its own revisit
    and the old one is history, shown in the timeline only."""
    return bool(matter.satisfaction) and matter.status != Matter.Status.RESOLVED


def _get_visible(actor: Actor, pk: int) -> Matter:
    return get_object_or_404(sel.matter_detail_queryset(actor), pk=pk)


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    matter = _get_visible(actor, pk)
    return render(request, "supervision/matters/detail.html", _context(actor, matter))


@login_required
@require_POST
def matter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = actor_for(request.user)
    matter = _get_visible(actor, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form: Any = None
    try:
        if action == "assign":
            form = _assign_form(actor, matter, request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.matter_assign(actor=actor, matter=matter, unit=d["unit"], assignee=d["assignee"],
                                       deadline=d["deadline"], note=d["note"])
        elif action == "start":
            services.matter_start(actor=actor, matter=matter)
        elif action == "resolve":
            form = ResolveForm(request.POST, request.FILES)
            if form.is_valid():
                services.matter_resolve(actor=actor, matter=matter, resolution=form.cleaned_data["resolution"],
                                        evidence=form.cleaned_data["evidence"])
        elif action == "revisit":
            form = RevisitForm(request.POST)
            if form.is_valid():
                services.matter_revisit(actor=actor, matter=matter, satisfaction=form.cleaned_data["satisfaction"],
                                        note=form.cleaned_data["note"])
        elif action == "close":
            form = CloseForm(request.POST)
            if form.is_valid():
                services.matter_close(actor=actor, matter=matter, note=form.cleaned_data["note"])
    except NotAllowed as exc:
        return refused(request, exc.message)
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
        else:
            messages.error(request, "；".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "supervision/matters/detail.html", _context(actor, matter), status=400)
    else:
        if form is None or not form.errors:
            messages.success(request, _("操作成功。"))
            return redirect("matter-show", matter.pk)
    forms = {action: form} if form is not None else {}
    return render(request, "supervision/matters/detail.html", _context(actor, matter, forms), status=400)


@login_required
def matter_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, only for those who may see the matter (never through MEDIA_URL)."""
    actor = actor_for(request.user)
    matter = get_object_or_404(sel.matters_for(actor).exclude(evidence=""), pk=pk)
    return evidence_response(matter.evidence)
