"""/disclosures/: village cadres post and follow their village's results; the office and the
leaders see the calendar of villages × domains × quarters and the gaps; the office reviews checks."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.models import Cadre, Township
from cadres.roles import Role, actor_for
from cadres.scope import schools_for, villages_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.views import form_state_change
from supervision.forms.disclosures import CheckReviewForm, DisclosureForm, ItemAdjustForm
from supervision.models import DisclosureCheck, Subject
from supervision.quarters import Quarter, QuarterError, last_due_quarter, parse_quarter
from supervision.selectors import disclosures as sel
from supervision.services import disclosures as svc
from supervision.services.check_jobs import may_run_check


def _quarter(request: HttpRequest, default: Quarter | None) -> Quarter | None:
    raw = request.GET.get("quarter")
    if not raw:
        return default
    try:
        return parse_quarter(raw)
    except QuarterError as exc:
        messages.error(request, exc.message)
        return default


def _postable_villages(actor):  # type: ignore[no-untyped-def]
    if actor.has(Role.OFFICE):
        return villages_for(actor).filter(is_active=True)
    cadre = actor.cadre
    if cadre is not None and cadre.level == Cadre.Level.VILLAGE and cadre.village_id:
        return villages_for(actor).filter(pk=cadre.village_id)
    return villages_for(actor).none()


@login_required
def disclosure_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    last = sel.last_checked_quarter(actor)
    quarter = _quarter(request, last)
    context: dict[str, object] = {"can_post": _postable_villages(actor).exists(), "quarter": quarter}
    if actor.township_wide:
        try:
            year = int(request.GET.get("year") or (quarter.year if quarter else timezone.localdate().year))
        except ValueError:
            year = timezone.localdate().year
        year = year if 2000 <= year <= 2100 else timezone.localdate().year
        context.update({
            "overview": True, "year": year, "grid": sel.calendar_grid(actor, year=year),
            "gaps": list(sel.gaps(actor, quarter=quarter)) if quarter else [],
            "checks": list(sel.check_list(actor, quarter=quarter)) if quarter else [],
            "years": range(timezone.localdate().year, 2019, -1),
            "can_run": may_run_check(actor), "due_quarter": last_due_quarter(),
        })
    else:
        postings = Paginator(sel.disclosure_list(actor), 30).get_page(request.GET.get("page"))
        context.update({"overview": False, "page_obj": postings,
                        "checks": list(sel.check_list(actor)[:12])})
    return render(request, "supervision/disclosures/index.html", context)


@login_required
def disclosure_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    villages = _postable_villages(actor)
    if not villages.exists():
        raise Http404
    township_id = actor.township_id or villages.first().township_id  # type: ignore[union-attr]
    office = actor.has(Role.OFFICE)
    by_kind = svc.requirements_by_kind(township_id)
    requirements = [r for kind in (Subject.values if office else [Subject.VILLAGE]) for r in by_kind[kind]]
    schools = schools_for(actor).filter(is_active=True) if office else None
    form = DisclosureForm(request.POST or None, request.FILES or None, villages=villages, requirements=requirements,
                          schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = data.get("subject_kind") or Subject.VILLAGE
        try:
            disclosure = svc.disclosure_create(
                actor=actor_for(request.user), subject_kind=subject,
                village=data["village"] if subject == Subject.VILLAGE else None,
                school=data.get("school") if subject == Subject.SCHOOL else None,
                township=Township.objects.filter(pk=township_id).first() if subject == Subject.TOWNSHIP else None,
                requirement=data["requirement"], domain=data["domain"],
                category=data["category"], title=data["title"], content=data["content"],
                period_start=data["period_start"], period_end=data["period_end"], decision_date=data["decision_date"],
                posted_on=data["posted_on"], channel=data["channel"], display_days=data["display_days"],
                photo=data["photo"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("公开事项已登记。"))
            return redirect("disclosure-show", pk=disclosure.pk)
    return render(request, "supervision/disclosures/form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def disclosure_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = sel.disclosure_detail(actor_for(request.user), pk)
    return render(request, "supervision/disclosures/detail.html", {"disclosure": disclosure})


@login_required
def disclosure_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    disclosure = sel.disclosure_detail(actor_for(request.user), pk)
    if not disclosure.photo:
        raise Http404
    name = disclosure.photo.name.rsplit("/", 1)[-1]
    return FileResponse(disclosure.photo.open("rb"), content_type=mimetypes.guess_type(name)[0] or "image/jpeg")


@login_required
def check_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    quarter = _quarter(request, None)
    village = request.GET.get("village")
    checks = sel.check_list(actor, quarter=quarter, village=int(village) if village and village.isdigit() else None)
    page_obj = Paginator(checks, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/disclosures/checks.html", {"page_obj": page_obj, "quarter": quarter})


@login_required
def check_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    check = sel.check_detail(actor, pk)
    may_review = actor.has(Role.OFFICE)
    return render(request, "supervision/disclosures/check_detail.html", {
        "check": check, "items": list(check.items.all()), "may_review": may_review,
        "review_form": CheckReviewForm() if may_review and check.status == DisclosureCheck.Status.COMPILED else None,
        "adjust_form": ItemAdjustForm() if may_review else None,
    })


@login_required
@require_POST
def check_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    check = sel.check_detail(actor, pk)
    return form_state_change(
        request, CheckReviewForm(request.POST),
        lambda data: svc.disclosure_check_review(check=check, actor=actor, notes=data["notes"]),
        _("检查已审核。"), reverse("disclosure-check-show", args=[pk]), invalid=_("审核意见不能超过3000字。"))


@login_required
@require_POST
def item_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    item = sel.item_for(actor, pk)
    return form_state_change(
        request, ItemAdjustForm(request.POST),
        lambda data: svc.disclosure_check_item_adjust(item=item, result=data["result"], reason=data["reason"],
                                                      actor=actor),
        _("检查结果已调整。"), reverse("disclosure-check-show", args=[item.check_run_id]),
        invalid=_("请选择结果并填写调整理由（不超过300字）。"))
