"""The county bulletin's pages (county-level staff only; anyone else gets a 404):
/county/bulletins/ (the list and the compile form), /county/bulletins/<id>/ (figures, approve,
publish), /county/bulletins/<id>/pdf/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cadres.roles import Actor, actor_for
from core.errors import DomainError

from .county_bulletin import (
    county_bulletin_approve,
    county_bulletin_compile,
    county_bulletin_pdf,
    county_bulletin_publish,
    is_county_staff,
)
from .models import CountyBulletin
from .pdf import PDFUnavailable


class CountyCompileForm(forms.Form):
    start = forms.DateField(label=_("期间起"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("期间止"), widget=forms.DateInput(attrs={"type": "date"}))


def _county(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not is_county_staff(actor):
        raise Http404
    return actor


@login_required
def county_bulletins(request: HttpRequest) -> HttpResponse:
    actor = _county(request)
    form = CountyCompileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = county_bulletin_compile(actor=actor, start=form.cleaned_data["start"],
                                               end=form.cleaned_data["end"])
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            return redirect("county-bulletin", pk=bulletin.pk)
    return render(request, "bulletins/county_list.html", {
        "bulletins": CountyBulletin.objects.all()[:100], "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def county_bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    _county(request)
    bulletin = get_object_or_404(CountyBulletin, pk=pk)
    return render(request, "bulletins/county_detail.html", {
        "bulletin": bulletin, "rows": bulletin.figures.get("townships", []), "totals": bulletin.figures.get("totals", {}),
    })


@login_required
@require_POST
def county_bulletin_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    actor = _county(request)
    bulletin = get_object_or_404(CountyBulletin, pk=pk)
    action = county_bulletin_approve if step == "approve" else county_bulletin_publish
    try:
        action(actor=actor, bulletin=bulletin)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("county-bulletin", pk=bulletin.pk)


@login_required
@require_GET
def county_bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    _county(request)
    bulletin = get_object_or_404(CountyBulletin, pk=pk)
    try:
        body = county_bulletin_pdf(bulletin)
    except PDFUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="county-bulletin-{bulletin.year}-{bulletin.number or "draft"}.pdf"'
    return response
