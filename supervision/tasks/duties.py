"""Duty tasks: the quarterly disclosure check (beat: 02:00 on the 21st of Jan/Apr/Jul/Oct)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

__all__ = ["disclosure_check_due_task", "disclosure_check_task"]


@shared_task(name="supervision.disclosure_check", bind=True, acks_late=True,
             autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def disclosure_check_task(self, year: int, quarter: int, township_id: int | None = None,  # type: ignore[no-untyped-def]
                          job_id: int | None = None) -> str:
    """Run (or rerun) one quarter's check. The service is one transaction and idempotent, so a
    redelivered or retried task simply compiles the same rows again."""
    from django.utils import timezone

    from cadres.models import Township
    from portal.errors import DomainError
    from portal.models import JobRun
    from supervision.services.disclosures import disclosure_check_run

    job = JobRun.objects.filter(pk=job_id).first() if job_id else None
    if job is not None:
        JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.RUNNING, progress=10)
    township = Township.objects.filter(pk=township_id).first() if township_id else None
    try:
        summary = disclosure_check_run(year=year, quarter=quarter, township=township)
    except DomainError as exc:  # a permanent refusal (future quarter …): reported, never retried
        if job is not None:
            JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.FAILED, message=exc.message, progress=100,
                                                    finished_at=timezone.now())
        return exc.message
    text = summary.as_text()
    if job is not None:
        JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.SUCCEEDED, progress=100, message=text,
                                                finished_at=timezone.now())
    return text


@shared_task(name="supervision.disclosure_check_due", acks_late=True)
def disclosure_check_due_task() -> str:
    """Beat entry: check the quarter whose last items fell due yesterday (on 21 October, Q3)."""
    from supervision.quarters import last_due_quarter

    quarter = last_due_quarter()
    return disclosure_check_task(quarter.year, quarter.quarter)
