"""The monthly bulletin job under a real Celery worker: run twice, one bulletin; and a compile
started from the page reports its progress on the JobRun."""

from __future__ import annotations

import pytest

from bulletins.models import Bulletin
from bulletins.tasks import compile_bulletin_task, compile_monthly_task
from core.models import JobRun
from tests.bulletins.conftest import END, START, build_october

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def october(world):  # type: ignore[no-untyped-def]
    return build_october(world)


def test_monthly_job_runs_twice_under_a_worker_and_keeps_one_bulletin(celery_worker, october):
    w = october.world

    compile_monthly_task.delay(today="2026-11-01")
    first = wait_for(lambda: Bulletin.objects.filter(township=w.township, period_start=START, period_end=END).first())
    assert isinstance(first, Bulletin)
    compile_monthly_task.delay(today="2026-11-01")
    wait_for(lambda: Bulletin.objects.get(pk=first.pk).compiled_at > first.compiled_at)

    assert Bulletin.objects.filter(township=w.township).count() == 1
    assert Bulletin.objects.get(pk=first.pk).figures["diaries"]["written"] == 4
    assert "bulletins.compile_monthly" in celery_worker.log()


def test_compile_job_reports_progress_to_the_page(celery_worker, october):
    w = october.world
    job = JobRun.objects.create(name="bulletins.compile", started_by=w.office.user,
                                params={"start": "2026-10-01", "end": "2026-10-31"})

    compile_bulletin_task.delay("2026-10-01", "2026-10-31", township_id=w.township.pk, job_id=job.pk,
                                user_id=w.office.user.pk)
    wait_for(lambda: JobRun.objects.get(pk=job.pk).status == JobRun.Status.SUCCEEDED)

    job.refresh_from_db()
    bulletin = Bulletin.objects.get(township=w.township)
    assert (job.progress, job.result_url) == (100, f"/bulletins/{bulletin.pk}/")
