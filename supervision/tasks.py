"""Celery tasks of the supervision app: thin, idempotent, ids and ISO dates in.

The 07:30 daily job escalates overdue matters and plan milestones (督办) and reminds cadres whose diary duty is behind;
the quarterly disclosure check runs at 02:00 on the 21st of January, April, July and October.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from cadres.roles import SYSTEM
from core.jobs import MAX_RETRIES, RETRY_TRANSIENT, run_retrying

__all__ = [
    "daily_loop_task", "disclosure_check_due_task", "disclosure_check_task", "export_diaries_task",
    "group_problems_daily_task", "group_problems_task",
]


@shared_task(name="supervision.daily", bind=True, acks_late=True, **RETRY_TRANSIENT)
def daily_loop_task(self, today: str | None = None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from supervision.services.diaries import diary_reminders_send
    from supervision.services.matters import matters_escalate_overdue
    from supervision.services.plans import milestones_escalate_overdue

    day = date.fromisoformat(today) if today else timezone.localdate()
    return {
        "escalated": matters_escalate_overdue(today=day, actor=SYSTEM),
        "reminded": diary_reminders_send(today=day, actor=SYSTEM),
        "milestones_escalated": milestones_escalate_overdue(today=day, actor=SYSTEM),
    }


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
        summary = disclosure_check_run(year=year, quarter=quarter, township=township, actor=SYSTEM)
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


@shared_task(name="supervision.export_diaries", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def export_diaries_task(self, job_id: int) -> str:  # type: ignore[no-untyped-def]
    """Write a diaries export too big for a request (queue `exports`); transient errors retried."""
    from supervision.services.exports import diary_export_failed, diary_export_run

    return run_retrying(self, lambda: diary_export_run(job_id=job_id), failed=lambda: diary_export_failed(job_id=job_id))


@shared_task(name="supervision.group_problems", bind=True, acks_late=True, **RETRY_TRANSIENT)
def group_problems_task(self, start: str, end: str, township_id: int | None = None,  # type: ignore[no-untyped-def]
                        job_id: int | None = None) -> str:
    """Regroup a period's recurring problems (一类事). The service replaces the period's groups, so a
    redelivered task computes the same groups again."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from core.errors import DomainError
    from core.jobs import job_fail, job_progress, job_succeed
    from supervision.services.problem_groups import problem_groups_refresh

    job_progress(job_id, progress=5)
    try:
        summary = problem_groups_refresh(start=date.fromisoformat(start), end=date.fromisoformat(end),
                                         township_id=township_id, job_id=job_id)
    except DomainError as exc:
        job_fail(job_id, message=exc.message)
        return exc.message
    text = summary.as_text()
    job_succeed(job_id, message=text,
                result_url=f"{reverse('problem-groups')}?{urlencode({'start': start, 'end': end})}")
    return text


@shared_task(name="supervision.group_problems_daily", acks_late=True)
def group_problems_daily_task(today: str | None = None) -> str:
    """Beat entry: regroup this month so far (on the 1st, the month just ended) for every township."""
    from datetime import timedelta

    from django.utils import timezone

    from supervision.services.problem_groups import month_of

    day = date.fromisoformat(today) if today else timezone.localdate()
    start, end = month_of(day - timedelta(days=1))
    return group_problems_task(start.isoformat(), end.isoformat())
