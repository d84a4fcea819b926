"""/jobs/<pk>/: the progress page of a long job started from a staff page (the quarterly check, an
import), then its result. The page refreshes itself (a meta refresh: no script) until the job ends.

Only the person who started a job sees it (superusers see every one): a job's result can list the
rows of a file of personal data. Anyone else gets a 404, like every object outside their scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import JobRun

CHECK_JOB = "disclosure_check"
IMPORT_JOB = "cadres.import"
EXPORT_JOB = "supervision.export_diaries"
GROUPS_JOB = "problem_groups"
# Jobs shown here; the bulletin compile keeps its own page (bulletins.views.job_status).
PAGE_JOBS = (CHECK_JOB, IMPORT_JOB, EXPORT_JOB, GROUPS_JOB)


def _check_context(job: JobRun) -> dict[str, Any]:
    quarter = str(job.params.get("quarter", ""))
    result_url = ""
    if job.status == JobRun.Status.SUCCEEDED:
        result_url = f"{reverse('disclosure-checks')}?{urlencode({'quarter': quarter})}"
    return {
        "title": _("季度公开检查进度"),
        "facts": [_("季度：%(q)s") % {"q": quarter}],
        "back_url": reverse("disclosures"), "back_label": _("返回公开事项"),
        "result_url": result_url, "result_label": _("查看检查结果"),
    }


def _groups_context(job: JobRun) -> dict[str, Any]:
    start, end = str(job.params.get("start", "")), str(job.params.get("end", ""))
    return {
        "title": _("归纳一类事进度"),
        "facts": [_("期间：%(s)s 至 %(e)s") % {"s": start, "e": end}],
        "back_url": reverse("problem-groups"), "back_label": _("返回一类事"),
        "result_url": job.result_url if job.status == JobRun.Status.SUCCEEDED else "",
        "result_label": _("查看归纳结果"),
    }


def _import_context(job: JobRun) -> dict[str, Any]:
    from cadres.services.imports import IMPORT_KINDS

    kind = IMPORT_KINDS.get(str(job.params.get("kind", "")))
    result = job.params.get("result") or {}
    logins = (result.get("login_cadres") or []) if job.status == JobRun.Status.SUCCEEDED else []
    facts = []
    if logins or result.get("logins_skipped"):
        facts.append(_("已开通登录账号：%(n)s 个（%(skipped)s 名担任领导或纪委职务的干部须由超级管理员或县级管理员开通）")
                     % {"n": len(logins), "skipped": result.get("logins_skipped", 0)})
    return {
        "title": _("导入进度"),
        "facts": [
            _("导入内容：%(what)s") % {"what": kind.label if kind else ""},
            _("文件：%(name)s") % {"name": job.params.get("filename", "")},
            *facts,
        ],
        "result_url": f"{reverse('cadre-logins')}?{urlencode({'job': job.pk})}" if logins else "",
        "result_label": _("打印这些账号的发放单"),
        "back_url": reverse(kind.url_name) if kind else reverse("dashboard"),
        "back_label": _("返回导入页面"),
        "counts": result if job.status == JobRun.Status.SUCCEEDED and "created" in result else None,
        "errors": result.get("errors") or [],
        "errors_truncated": bool(result.get("truncated")),
    }


def _export_context(job: JobRun) -> dict[str, Any]:
    return {
        "title": _("导出进度"),
        "facts": [_("期间：%(start)s 至 %(end)s") % {"start": job.params.get("start", ""), "end": job.params.get("end", "")},
                  _("格式：%(format)s") % {"format": str(job.params.get("format", "")).upper()}],
        "back_url": reverse("dashboard"), "back_label": _("返回首页"),
        "result_url": job.result_url if job.status == JobRun.Status.SUCCEEDED else "",
        "result_label": _("下载导出文件"),
    }


def _own_jobs(request: HttpRequest) -> Any:
    jobs = JobRun.objects.filter(name__in=PAGE_JOBS)
    return jobs if request.user.is_superuser else jobs.filter(started_by=request.user)


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file an export job wrote; only its starter (and superusers), else 404."""
    job = get_object_or_404(_own_jobs(request).filter(name=EXPORT_JOB, status=JobRun.Status.SUCCEEDED), pk=pk)
    name = str((job.params.get("result") or {}).get("file") or "")
    if not name or not default_storage.exists(name):
        raise Http404
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_own_jobs(request), pk=pk)
    done = job.status in (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED)
    contexts = {CHECK_JOB: _check_context, IMPORT_JOB: _import_context, EXPORT_JOB: _export_context,
                GROUPS_JOB: _groups_context}
    context = contexts[job.name](job)
    return render(request, "portal/job.html", {
        "job": job, "done": done, "failed": job.status == JobRun.Status.FAILED, **context,
    })
