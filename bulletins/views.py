"""Staff pages: the archive (with search and, for the office, "compile a period"), a bulletin's
page, the editor's form, approval, publication, downloads and the progress page of a compile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadres.models import Township
from cadres.roles import Actor, actor_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.jobs import job_start
from core.models import JobRun
from core.views import state_change

from . import downloads, permissions
from .content import document
from .forms import ArchiveSearchForm, BulletinEditForm, CompileForm
from .models import Bulletin
from .pdf import PDFUnavailable
from .selectors import bulletin_archive, bulletin_detail_queryset, bulletins_for, model_figure_choices
from .services import bulletin_approve, bulletin_publish, bulletin_update
from .tasks import compile_bulletin_task

ARCHIVE_PAGE_SIZE = 20


def _compile_townships(actor: Actor) -> Any:
    """None when the office belongs to one township (no choice to make); else the choices."""
    if actor.township_id is not None:
        return None
    qs = Township.objects.order_by("code")
    return qs if actor.township_ids is None else qs.filter(pk__in=actor.township_ids)


def _may_compile_somewhere(actor: Actor) -> bool:
    if actor.is_superuser:
        return True
    return actor.township_id is not None and permissions.can_compile(actor, actor.township_id)


@login_required
def archive(request: HttpRequest, compile_form: CompileForm | None = None) -> HttpResponse:
    actor = actor_for(request.user)
    years = list(bulletins_for(actor).order_by("-year").values_list("year", flat=True).distinct())
    search = ArchiveSearchForm(request.GET or None, years=years, show_status=permissions.sees_drafts(actor))
    filters: dict[str, Any] = {}
    if search.is_valid():
        filters = {k: v for k, v in search.cleaned_data.items() if v}
    qs = bulletin_archive(actor, **filters).order_by("-year", "-period_start", "-id")
    page_obj = Paginator(qs, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    may_compile = _may_compile_somewhere(actor)
    if may_compile and compile_form is None:
        compile_form = CompileForm(townships=_compile_townships(actor))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(request, "bulletins/archive.html", {
        "page_obj": page_obj, "search": search, "query": query,
        "compile_form": compile_form if may_compile else None,
        "show_township": actor.township_id is None,
    }, status=400 if compile_form is not None and compile_form.errors else 200)


@login_required
@require_POST
def compile_start(request: HttpRequest) -> HttpResponse:
    """Start a compile in the background and show its progress page."""
    actor = actor_for(request.user)
    if not _may_compile_somewhere(actor):
        raise Http404
    form = CompileForm(request.POST, townships=_compile_townships(actor))
    if not form.is_valid():
        return archive(request, compile_form=form)
    township = form.cleaned_data.get("township")
    township_id = township.pk if township else actor.township_id
    if township_id is not None and not permissions.can_compile(actor, township_id):
        raise Http404
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    job = job_start(
        name="bulletins.compile", started_by_id=request.user.pk,
        params={"start": start.isoformat(), "end": end.isoformat(), "township_id": township_id},
        enqueue=lambda job_id: compile_bulletin_task.delay(
            start.isoformat(), end.isoformat(), township_id=township_id, job_id=job_id, user_id=request.user.pk),
    )
    return redirect("bulletin-job", pk=job.pk)


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of a compile; the page refreshes itself (a meta refresh: no script) until it ends."""
    jobs = JobRun.objects.filter(name="bulletins.compile")
    if not request.user.is_superuser:
        jobs = jobs.filter(started_by=request.user)
    job = get_object_or_404(jobs, pk=pk)
    done = job.status in (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED)
    return render(request, "bulletins/job.html", {"job": job, "done": done})


def _get_bulletin(request: HttpRequest, pk: int) -> tuple[Actor, Bulletin]:
    actor = actor_for(request.user)
    return actor, get_object_or_404(bulletin_detail_queryset(actor), pk=pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor, bulletin = _get_bulletin(request, pk)
    history = []
    if permissions.sees_drafts(actor):
        history = list(bulletin.history.select_related("history_user").order_by("-history_date", "-history_id")[:20])
    return render(request, "bulletins/detail.html", {
        **document(bulletin),
        "may_edit": permissions.can_edit(actor, bulletin),
        "may_approve": permissions.can_approve(actor, bulletin) and bulletin.status == Bulletin.Status.DRAFT,
        "may_publish": permissions.can_publish(actor, bulletin) and bulletin.status == Bulletin.Status.APPROVED,
        "may_download": permissions.can_download(actor, bulletin),
        "history": history,
    })


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor, bulletin = _get_bulletin(request, pk)
    if bulletin.is_frozen:
        messages.error(request, _("简报已发布，内容已冻结，不能再修改。"))
        return redirect("bulletin-detail", pk=pk)
    if not permissions.can_edit(actor, bulletin):
        return render(request, "bulletins/refused.html", {
            "bulletin": bulletin, "message": _("只有本镇党政办可以编辑简报。")}, status=403)
    form = BulletinEditForm(request.POST or None, bulletin=bulletin, figure_choices=model_figure_choices(bulletin))
    if request.method == "POST" and form.is_valid():
        was_approved = bulletin.status == Bulletin.Status.APPROVED
        try:
            updated = bulletin_update(bulletin=bulletin, actor=actor_for(request.user), changes=form.changes(),
                                      model_figures=form.cleaned_data["model_figures"])
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            if was_approved and updated.status == Bulletin.Status.DRAFT:
                messages.warning(request, _("已保存。内容有改动，简报已退回草稿，需镇领导重新审核。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect("bulletin-detail", pk=pk)
    return render(request, "bulletins/edit.html", {"bulletin": bulletin, "form": form},
                  status=400 if form.errors else 200)


def _transition(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    actor, bulletin = _get_bulletin(request, pk)
    return state_change(request, lambda: service(bulletin=bulletin, actor=actor), done,
                        reverse("bulletin-detail", args=[pk]))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, bulletin_approve, _("简报已审核。"))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, bulletin_publish, _("简报已发布，已通知本镇干部。"))


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    actor, bulletin = _get_bulletin(request, pk)
    if not permissions.can_download(actor, bulletin):
        return render(request, "bulletins/refused.html", {
            "bulletin": bulletin, "message": _("草稿只有党政办和镇领导可以下载。")}, status=403)
    try:
        return downloads.response(bulletin, fmt)
    except PDFUnavailable as exc:
        return render(request, "bulletins/refused.html", {"bulletin": bulletin, "message": str(exc)}, status=503)
