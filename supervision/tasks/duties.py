"""Duty tasks: the quarterly disclosure check (beat: 02:00 on the 21st of Jan/Apr/Jul/Oct)."""

from __future__ import annotations

from celery import shared_task

from core.jobs import RETRY_TRANSIENT

__all__ = ["disclosure_check_due_task", "disclosure_check_task"]


@shared_task(name="supervision.disclosure_check", bind=True, acks_late=True, **RETRY_TRANSIENT)
def disclosure_check_task(self, year: int, quarter: int, township_id: int | None = None,  # type: ignore[no-untyped-def]
                          job_id: int | None = None) -> str:
    """Run (or rerun) one quarter's check. The service is one transaction and idempotent, so a
    redelivered or retried task simply compiles the same rows again."""
    from cadres.models import Township
    from core.errors import DomainError
    from core.jobs import job_fail, job_progress, job_succeed
    from supervision.services.disclosures import disclosure_check_run

    job_progress(job_id, progress=10)
    township = Township.objects.filter(pk=township_id).first() if township_id else None
    try:
        summary = disclosure_check_run(year=year, quarter=quarter, township=township)
    except DomainError as exc:  # a permanent refusal (future quarter …): reported, never retried
        job_fail(job_id, message=exc.message)
        return exc.message
    text = summary.as_text()
    job_succeed(job_id, message=text)
    return text


@shared_task(name="supervision.disclosure_check_due", acks_late=True)
def disclosure_check_due_task() -> str:
    """Beat entry: check the quarter whose last items fell due yesterday (on 21 October, Q3)."""
    from supervision.quarters import last_due_quarter

    quarter = last_due_quarter()
    return disclosure_check_task(quarter.year, quarter.quarter)
