"""The one way a long job is started, followed and ended (DESIGN: every job shows its progress in
the page that started it, is idempotent and retries transient failures with backoff).

A page or the admin calls `job_start`, which records a JobRun and queues the task after commit;
the task (thin: ids in, a service does the work) reports through `job_progress`, `job_succeed`
and `job_fail`. Those only touch a job that is still pending or running, so a late or repeated
delivery of the same task never reopens or rewrites a job that has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import JobRun

# Errors worth trying again: the database went away or was busy. Anything else (a refusal, a bad
# period) is permanent and ends the job with its message.
TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 5
MAX_BACKOFF_SECONDS = 600

# Options for a task that only needs Celery's own retry: `@shared_task(**RETRY_TRANSIENT)`.
RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": MAX_BACKOFF_SECONDS,
    "max_retries": MAX_RETRIES,
}

ACTIVE = (JobRun.Status.PENDING, JobRun.Status.RUNNING)
FINISHED = (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED)


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: 5, 10, 20 … capped at ten minutes."""
    return int(min(MAX_BACKOFF_SECONDS, 5 * 2**retries))


T = TypeVar("T")


def run_retrying(task: Any, run: Callable[[], T], *, failed: Callable[[], Any],
                 gave_up: Callable[[], Any] | None = None) -> T:
    """The body of a bound task whose service ends its own JobRun (an import, an export): a
    transient database error is retried with `backoff` up to MAX_RETRIES, after which `gave_up`
    (by default `failed`) ends the job; any other error ends it with `failed`. Either way the
    error is raised again, so Celery records it."""
    try:
        return run()
    except TRANSIENT as exc:
        if task.request.retries >= MAX_RETRIES:
            (gave_up or failed)()
            raise
        raise task.retry(exc=exc, countdown=backoff(task.request.retries)) from exc
    except Exception:
        failed()
        raise


def job_start(*, name: str, started_by_id: int | None, params: dict[str, Any],
              enqueue: Callable[[int], Any] | None = None) -> JobRun:
    """Record a queued job started by the user `started_by_id` (None: the system); `enqueue(job_id)`
    sends its task once the caller's transaction commits (a rolled-back request leaves no task behind)."""
    job = JobRun.objects.create(name=name, started_by_id=started_by_id, params=params,
                                message=_("已排队，等待后台处理……"))
    if enqueue is not None:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def job_progress(job_id: int | None, *, progress: int | None = None, message: str | Promise | None = None) -> None:
    """The job is running: its percentage and what it is doing now."""
    if job_id is None:
        return
    fields: dict[str, Any] = {"status": JobRun.Status.RUNNING}
    if progress is not None:
        fields["progress"] = max(0, min(99, progress))
    if message is not None:
        fields["message"] = str(message)
    JobRun.objects.filter(pk=job_id, status__in=ACTIVE).update(**fields)


def job_succeed(job_id: int | None, *, message: str | Promise, result_url: str = "",
                result: dict[str, Any] | None = None) -> None:
    _finish(job_id, JobRun.Status.SUCCEEDED, message, result_url=result_url, result=result)


def job_fail(job_id: int | None, *, message: str | Promise, result: dict[str, Any] | None = None) -> None:
    _finish(job_id, JobRun.Status.FAILED, message, result=result)


def _finish(job_id: int | None, status: str, message: str | Promise, *, result_url: str = "",
            result: dict[str, Any] | None = None) -> None:
    if job_id is None:
        return
    fields: dict[str, Any] = {"status": status, "progress": 100, "message": str(message),
                              "finished_at": timezone.now()}
    if result_url:
        fields["result_url"] = result_url
    if result is not None:
        job = JobRun.objects.filter(pk=job_id).only("params").first()
        if job is not None:
            fields["params"] = {**job.params, "result": result}
    JobRun.objects.filter(pk=job_id, status__in=ACTIVE).update(**fields)
