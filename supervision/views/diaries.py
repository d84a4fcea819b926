"""Diary pages: my diaries and the feed, writing today's diary, one diary with its comments,
adopted idea and matters; the party committee's agenda."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.models import Cadre, Village
from cadres.roles import Actor, actor_for
from cadres.scope import household_name_for, units_of, villages_of
from cadres.services.figures import may_propose_figure
from core.errors import DomainError, NotAllowed
from core.forms import add_service_errors
from core.views import form_to_service, refused
from supervision.forms.agenda import AdoptForm, DecisionForm
from supervision.forms.diaries import CommentForm, DiaryFilterForm, DiaryForm
from supervision.forms.matters import DiaryMatterForm
from supervision.models import AgendaItem, Diary, DiaryComment
from supervision.search import diary_snippet, search_diaries
from supervision.selectors import diaries as sel
from supervision.selectors import plans as plan_sel
from supervision.selectors.matters import matters_for
from supervision.selectors.problem_groups import decisions_for_diary
from supervision.services import agenda as agenda_services
from supervision.services import diaries as services
from supervision.services.matters import can_raise_from_diary, matter_create

from ._common import page_slice, searched

DRAFT_SESSION_KEY = "diary_draft_saved"


@login_required
def diary_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    feed_allowed = sel.sees_others_diaries(actor)
    view = request.GET.get("view") or ("feed" if feed_allowed else "mine")
    if view != "mine" and not feed_allowed:
        view = "mine"
    qs = sel.diary_list(actor, mine=(view == "mine")).select_related("agenda_item")
    # The filter offers only the villages and units of the rows the viewer may see.
    filters = DiaryFilterForm(request.GET or None, villages=villages_of(qs), units=units_of(qs, "author__unit_id"))
    groups: list[list[str]] = []
    if filters.is_valid():
        data = filters.cleaned_data
        if data["village"]:
            qs = qs.filter(village=data["village"])
        if data["unit"]:
            qs = qs.filter(author__unit=data["unit"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["start"]:
            qs = qs.filter(date__gte=data["start"])
        if data["end"]:
            qs = qs.filter(date__lte=data["end"])
        if data["q"]:
            qs, groups = searched(filters, qs, lambda rows, g: search_diaries(
                rows, g, township_id=actor.township_id).order_by("-search_rank", "-date", "-id"))
    elif filters.is_bound:
        qs = qs.none()  # a village or unit outside the offered ones (or a bad date) matches nothing
    page = page_slice(request, qs)
    for diary in page["rows"]:
        diary.snippet = diary_snippet(diary, groups) if groups else None
    # Comment counts for the shown rows only: a COUNT over the whole feed would grow with history.
    counts = dict(
        DiaryComment.objects.filter(diary_id__in=[d.pk for d in page["rows"]])
        .values("diary_id").annotate(n=Count("id")).values_list("diary_id", "n")
    )
    for diary in page["rows"]:
        diary.comment_count = counts.get(diary.pk, 0)
    context: dict[str, Any] = {
        "view": view, "feed_allowed": feed_allowed, "filters": filters,
        "can_write": services.can_write_diary(actor), **page,
    }
    return render(request, "supervision/diaries/index.html", context)


def _form_for(
    request: HttpRequest, actor: Actor, diary: Diary | None, today: date, initial: dict[str, Any] | None = None
) -> DiaryForm:
    cadre = actor.cadre
    assert cadre is not None
    dates = None if diary is not None else sel.writable_dates(cadre, today=today)
    villages = sel.village_choices(cadre, today=today)
    return DiaryForm(
        request.POST or None, cadre=cadre, dates=dates, today=today,
        villages=villages, households=sel.household_choices(cadre, today=today),
        milestones=plan_sel.citable_milestones([v.pk for v in villages[0]], current=diary.milestone_id if diary else None),
        initial=initial,
    )


def _initial_for_new(request: HttpRequest, cadre: Cadre, today: date, villages: list[Village]) -> dict[str, Any]:
    last = Diary.objects.filter(author=cadre).order_by("-date").values("village_id", "category").first()
    initial: dict[str, Any] = {"date": today.isoformat()}
    wanted = request.GET.get("date", "")
    if wanted:
        initial["date"] = wanted
    if last:
        initial["village"], initial["category"] = last["village_id"], last["category"]
    elif villages:
        initial["village"] = villages[0].pk
    return initial


def _diary_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "village": data["village"], "households": list(data["households"]), "category": data["category"],
        "place": data["place"], "people_met": data["people_met"], "situation": data["situation"],
        "problems": data["problems"], "ideas": data["ideas"], **(
            {"milestone": data["milestone"]} if "milestone" in data else {}),
    }


@login_required
def diary_new(request: HttpRequest) -> HttpResponse:
    """Write today's diary, or a missed day in the window; today's existing diary is edited here."""
    actor = actor_for(request.user)
    if not services.can_write_diary(actor):
        return refused(request, _("只有在岗干部本人可以写民情日记。"))
    cadre = actor.cadre
    assert cadre is not None
    today = timezone.localdate()
    if not request.GET.get("date"):
        existing = Diary.objects.filter(author=cadre, date=today, deleted_at__isnull=True).first()
        if existing is not None:
            return _edit(request, actor, existing, today)
    mine, _others = sel.village_choices(cadre, today=today)
    form = _form_for(request, actor, None, today, _initial_for_new(request, cadre, today, mine))
    if request.method == "POST" and form.is_valid():
        try:
            diary = services.diary_create(actor=actor, date=form.cleaned_data["date"], today=today,
                                          **_diary_fields(form.cleaned_data))
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(day)s 的民情日记。") % {"day": date_format(diary.date, "MONTH_DAY_FORMAT")})
            request.session[DRAFT_SESSION_KEY] = "new"
            return redirect("diary-show", diary.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/diaries/form.html",
                  {"form": form, "diary": None, "draft_key": "new"}, status=status)


def _edit(request: HttpRequest, actor: Actor, diary: Diary, today: date) -> HttpResponse:
    initial = {
        "village": diary.village_id, "category": diary.category, "place": diary.place,
        "people_met": diary.people_met, "situation": diary.situation, "problems": diary.problems,
        "ideas": diary.ideas, "households": list(diary.households.values_list("pk", flat=True)),
        "milestone": diary.milestone_id,
    }
    form = _form_for(request, actor, diary, today, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.diary_update(actor=actor, diary=diary, today=today, **_diary_fields(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            return refused(request, exc.message)
        else:
            messages.success(request, _("日记已修改。"))
            request.session[DRAFT_SESSION_KEY] = str(diary.pk)
            return redirect("diary-show", diary.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/diaries/form.html",
                  {"form": form, "diary": diary, "draft_key": str(diary.pk), "late_edit": diary.date != today},
                  status=status)


@login_required
def diary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    diary = get_object_or_404(sel.diaries_for(actor), pk=pk)
    if not services.can_edit_diary(actor, diary):
        return refused(request, _("只有作者本人可以修改日记。"))
    return _edit(request, actor, diary, timezone.localdate())


def _detail_context(request: HttpRequest, actor: Actor, diary: Diary) -> dict[str, Any]:
    agenda: AgendaItem | None = getattr(diary, "agenda_item", None)
    return {
        "diary": diary,
        # As the actor may read them (masked for the reporting role, as in the API).
        "household_names": [household_name_for(actor, h) for h in diary.households.all()],
        "agenda": agenda,
        # Decisions on the groups of recurring problems the diary belongs to (一类事).
        "group_decisions": decisions_for_diary(diary),
        "matters": list(matters_for(actor).filter(diary=diary).order_by("id")),
        "history_count": diary.history.count(),  # type: ignore[attr-defined]
        "can_edit": services.can_edit_diary(actor, diary),
        "can_comment": services.can_comment(actor),
        "can_adopt": agenda_services.can_adopt(actor) and agenda is None and bool(diary.ideas.strip()),
        "can_decide": agenda is not None and agenda.status == AgendaItem.Status.PENDING
        and agenda_services.can_decide(actor),
        "can_raise": can_raise_from_diary(actor, diary),
        "can_propose_figure": may_propose_figure(actor),
        "comment_form": CommentForm(), "adopt_form": AdoptForm(), "decision_form": DecisionForm(),
        "draft_saved": request.session.pop(DRAFT_SESSION_KEY, ""),
    }


def _get_visible(actor: Actor, pk: int) -> Diary:
    return get_object_or_404(sel.diary_detail_queryset(actor), pk=pk)


@login_required
def diary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    diary = _get_visible(actor, pk)
    return render(request, "supervision/diaries/detail.html", _detail_context(request, actor, diary))


def _rerender(request: HttpRequest, actor: Actor, diary: Diary, status: int, **forms: Any) -> HttpResponse:
    context = _detail_context(request, actor, diary)
    context.update(forms)
    return render(request, "supervision/diaries/detail.html", context, status=status)


def _detail_form_post(request: HttpRequest, actor: Actor, diary: Diary, *, form: forms.Form, form_key: str,
                      change: Callable[[dict[str, Any]], Any], done: str) -> HttpResponse:
    """A form of the diary page (comment, adoption, decision) posted to its service; on an error
    the diary again (400) with the errors on that form."""
    return form_to_service(request, form, change, done=done, then=reverse("diary-show", args=[diary.pk]),
                           again=lambda: _rerender(request, actor, diary, 400, **{form_key: form}))


@login_required
@require_POST
def diary_comment(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    diary = _get_visible(actor, pk)
    return _detail_form_post(
        request, actor, diary, form=CommentForm(request.POST), form_key="comment_form",
        change=lambda data: services.diary_comment(actor=actor, diary=diary, text=data["text"]),
        done=_("批示已发送，作者会收到通知。"))


@login_required
@require_POST
def diary_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    diary = _get_visible(actor, pk)
    return _detail_form_post(
        request, actor, diary, form=AdoptForm(request.POST), form_key="adopt_form",
        change=lambda data: agenda_services.idea_adopt(actor=actor, diary=diary, title=data["title"]),
        done=_("建议已采纳，列入党委议题。"))


@login_required
@require_POST
def agenda_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = get_object_or_404(sel.agenda_for(actor), pk=pk)
    if item.diary_id is None:
        raise Http404
    diary = _get_visible(actor, item.diary_id)
    return _detail_form_post(
        request, actor, diary, form=DecisionForm(request.POST), form_key="decision_form",
        change=lambda data: agenda_services.agenda_decide(actor=actor, item=item, decision=data["decision"],
                                                          meeting_date=data["meeting_date"]),
        done=_("决策已记录，已通知建议人。"))


@login_required
def diary_raise_matter(request: HttpRequest, pk: int) -> HttpResponse:
    """A short form prefilled from the diary (category, problem text, household) that the cadre
    may edit before the matter is registered; the village is the diary's."""
    actor = actor_for(request.user)
    diary = _get_visible(actor, pk)
    if not can_raise_from_diary(actor, diary):
        return refused(request, _("您不能把这篇日记转为问题台账。"))
    households = list(diary.households.all())
    initial = {
        "category": diary.category,
        "description": diary.problems.strip() or diary.situation.strip(),
        "household": households[0].pk if len(households) == 1 else None,
    }
    form = DiaryMatterForm(request.POST if request.method == "POST" else None, initial=initial,
                           households=households)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = matter_create(actor=actor, diary=diary, category=data["category"],
                                   description=data["description"], household=data["household"])
        except NotAllowed as exc:
            return refused(request, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已转为问题台账，等待交办。"))
            return redirect("matter-show", matter.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/diaries/raise_matter.html", {"form": form, "diary": diary}, status=status)


@login_required
def diary_household_search(request: HttpRequest) -> JsonResponse:
    """The diary picker's search-as-you-type (static/js/diary.js): households of the chosen village
    the author may name. The form still checks every household on saving."""
    actor = actor_for(request.user)
    if not services.can_write_diary(actor):
        raise Http404
    cadre = actor.cadre
    assert cadre is not None
    try:
        village_id = int(request.GET.get("village", ""))
    except ValueError:
        return JsonResponse({"detail": _("请先选择走访村。"), "results": []}, status=400)
    text = request.GET.get("q", "")[:20]
    rows = sel.household_search(cadre, village_id=village_id, text=text, today=timezone.localdate())
    return JsonResponse({"results": [
        {"id": h.pk, "label": f"{h.village.name} · {h.head_name}", "group": h.group.name if h.group else ""}
        for h in rows
    ]})


@login_required
def agenda_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not sel.sees_others_diaries(actor):
        raise Http404
    return render(request, "supervision/diaries/agenda.html", {
        "items": list(sel.agenda_for(actor)[:200]), "can_enter": agenda_services.can_enter_item(actor)})


