"""Starting the quarterly disclosure check as a background job (a JobRun the starter can follow).

The staff page (/disclosures/checks/run/) and the admin's run page and action start it the same
way; the task (supervision.tasks) does the work and reports on the JobRun.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor, Role
from core.errors import DomainError
from core.jobs import job_start
from core.models import JobRun
from supervision.quarters import Quarter

JOB_NAME = "disclosure_check"


def may_run_check(actor: Actor) -> bool:
    """The office runs its township's check (county level and superusers: every township).

    An office log-in tied to no township at all may not: its run would cover every township."""
    return actor.has(Role.OFFICE) and (actor.township_ids is None or actor.township_id is not None)


def quarter_check_ready(quarter: Quarter) -> None:
    """Refuse a quarter that has not ended before any job exists (the run itself refuses it too,
    which is what a job started from the admin reports)."""
    if quarter.end >= timezone.localdate():
        raise DomainError(_("%(q)s 尚未结束，季度结束后才能检查。") % {"q": quarter.label})


def disclosure_check_start(*, quarter: Quarter, township_id: int | None, actor: Actor) -> JobRun:
    """Queue one quarter's check for a township (None: every township); the job runs after commit."""
    from supervision.tasks import disclosure_check_task

    return job_start(
        name=JOB_NAME, started_by_id=actor.user_id, params={"quarter": str(quarter), "township": township_id},
        enqueue=lambda job_id: disclosure_check_task.delay(quarter.year, quarter.quarter, township_id, job_id),
    )
