"""/households/import/ and /cadres/import/: the office uploads an Excel (or CSV) file of households
or cadres; the import runs in the background and /jobs/<pk>/ shows its progress and its result.

The same resources as the admin's import (cadres.resources), built for the person importing:
rows may only touch their own township, and one bad row imports nothing.
"""

from __future__ import annotations

import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import JobRun

from .forms_import import ImportUploadForm
from .roles import actor_for
from .services.imports import IMPORT_KINDS, JOB_NAME, ImportKind, import_start, may_import

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 5


def _kind_for(request: HttpRequest, kind: str) -> ImportKind:
    if kind not in IMPORT_KINDS or not may_import(actor_for(request.user)):
        raise Http404
    return IMPORT_KINDS[kind]


def _columns(spec: ImportKind) -> list[str]:
    return [f.column_name for f in spec.resource().get_import_fields()]


@login_required
def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind_for(request, kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None, kind=spec.slug)
    if request.method == "POST" and form.is_valid():
        job = import_start(kind=spec.slug, content=form.content, fmt=form.format, filename=form.filename,
                           actor=actor_for(request.user), create_logins=bool(form.cleaned_data.get("create_logins")))
        return redirect("job", pk=job.pk)
    recent = JobRun.objects.filter(name=JOB_NAME, started_by=request.user, params__kind=spec.slug)
    return render(request, "cadres/import.html", {
        "spec": spec, "form": form, "columns": _columns(spec), "required": spec.resource.required_columns,
        "recent": list(recent.order_by("-created_at", "-pk")[:RECENT_JOBS]),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty workbook with the import's columns, to fill in."""
    spec = _kind_for(request, kind)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(_columns(spec))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = _("%(what)s导入模板") % {"what": spec.label} + ".xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
