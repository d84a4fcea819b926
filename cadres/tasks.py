"""Celery tasks of the cadres app: thin wrappers that take ids and call the services.

Transient database errors are retried with exponential backoff (capped); a bad file or a bad row
is permanent and ends the job with its errors instead.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.jobs import MAX_RETRIES, run_retrying


@shared_task(name="cadres.import_table", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def import_table_task(self: Any, job_id: int) -> str:
    """Import the file a JobRun holds (households or cadres), all rows or none; report on the job."""
    from cadres.services.imports import import_job_crashed, import_job_give_up, import_job_run

    return run_retrying(self, lambda: import_job_run(job_id=job_id), failed=lambda: import_job_crashed(job_id=job_id),
                        gave_up=lambda: import_job_give_up(job_id=job_id))
