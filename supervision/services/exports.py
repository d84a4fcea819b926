"""Exports too big for a request become a job (core.jobs): written to the media storage by a
worker of the `exports` queue, followed on the job's page (/jobs/<id>/), downloaded from
/jobs/<id>/download/ by the person who started it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any, cast

from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cadres.roles import Actor, actor_for
from core.errors import NotAllowed
from core.jobs import FINISHED, job_fail, job_progress, job_start, job_succeed
from core.models import JobRun
from core.replica import replica_reads
from core.reports import csv_response, xlsx_response
from supervision.exports import DIARY_EXPORT_COLUMNS, diary_export_rows
from supervision.selectors.diaries import diaries_for

EXPORT_JOB = "supervision.export_diaries"
FORMATS = ("csv", "xlsx")
PROGRESS_EVERY = 5000


def diary_export_start(*, actor: Actor, start: date, end: date, fmt: str) -> JobRun:
    """Queue the export of the period's diaries in `actor`'s scope; the person must be a log-in
    (a system's API key cannot follow a job page: it splits the period instead)."""
    if fmt not in FORMATS:
        raise NotAllowed(_("请指定导出格式：format=csv 或 format=xlsx。"), field="format")
    if actor.user_id is None:
        raise NotAllowed(_("后台导出需要以个人账号登录。"))
    from supervision.tasks import export_diaries_task

    return job_start(name=EXPORT_JOB, started_by_id=actor.user_id,
                     params={"start": start.isoformat(), "end": end.isoformat(), "format": fmt},
                     enqueue=lambda pk: export_diaries_task.delay(pk))


def diary_export_run(*, job_id: int) -> str:
    """Write the file, reporting progress; a job already ended is left as it is (a redelivery)."""
    job = JobRun.objects.select_related("started_by").filter(pk=job_id).first()
    if job is None or job.status in FINISHED or job.started_by is None:
        return "skipped"
    actor = actor_for(job.started_by)
    start, end = date.fromisoformat(job.params["start"]), date.fromisoformat(job.params["end"])
    fmt = job.params["format"]
    with replica_reads():
        total = diaries_for(actor).filter(date__range=(start, end)).count()
    job_progress(job_id, progress=0, message=_("正在导出 %(n)s 篇日记……") % {"n": total})
    written = 0

    def counted() -> Any:
        nonlocal written
        with replica_reads():
            for row in diary_export_rows(actor, start, end):
                written += 1
                if written % PROGRESS_EVERY == 0:
                    job_progress(job_id, progress=int(100 * written / max(total, 1)))
                yield row

    name = f"exports/{job_id}/diaries-{start}-{end}.{fmt}"
    with translation.override("zh-hans"), tempfile.TemporaryFile() as spool:
        body = (csv_response if fmt == "csv" else _xlsx)("x", DIARY_EXPORT_COLUMNS, counted())
        for chunk in cast(Iterator[bytes], body.streaming_content):  # a sync response: bytes
            spool.write(chunk)
        spool.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(spool))
    job_succeed(job_id, message=_("导出完成，共 %(n)s 篇日记。") % {"n": written},
                result_url=reverse("job-download", args=[job_id]), result={"file": saved, "rows": written})
    return saved


def diary_export_failed(*, job_id: int) -> None:
    job_fail(job_id, message=_("导出失败，请稍后重试。"))


def _xlsx(filename: str, columns: Any, rows: Any) -> Any:
    return xlsx_response(filename, [(_("民情日记"), columns, rows)])
