"""The quarterly disclosure check under a real Celery worker (Redis broker, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import JobRun
from supervision.models import DisclosureCheck, DisclosureCheckItem
from supervision.quarters import last_due_quarter
from supervision.tasks import disclosure_check_due_task, disclosure_check_task
from tests import factories as f

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]


def rows(township):
    return sorted(DisclosureCheckItem.objects.filter(check_run__township=township).values_list(
        "pk", "check_run_id", "requirement_id", "period_start", "result"))


def test_the_quarterly_check_runs_on_a_worker_and_a_second_run_changes_nothing(celery_worker, world):
    quarter = last_due_quarter()
    f.DisclosureFactory(village=world.v1, township=world.township, period_start=quarter.start,
                        period_end=quarter.end, posted_on=quarter.end + dt.timedelta(days=5))
    job = JobRun.objects.create(name="disclosure_check", params={"quarter": str(quarter)})

    disclosure_check_task.delay(quarter.year, quarter.quarter, world.township.pk, job.pk)
    wait_for(lambda: JobRun.objects.filter(pk=job.pk, status=JobRun.Status.SUCCEEDED).exists(), timeout=90)

    checks = DisclosureCheck.objects.filter(year=quarter.year, quarter=quarter.quarter)
    assert sorted(checks.values_list("village__name", flat=True)) == ["东河村", "光明路村", "南沟村"]
    first = rows(world.township)
    assert DisclosureCheckItem.objects.filter(check_run__village=world.v1, result="on_time").count() == 1
    assert "村务公开检查" in JobRun.objects.get(pk=job.pk).message

    # The beat entry checks the last quarter that fell due — the same quarter, every township.
    disclosure_check_due_task.delay()
    wait_for(lambda: DisclosureCheck.objects.filter(village=world.v_other).exists(), timeout=90)
    assert rows(world.township) == first
    assert DisclosureCheck.objects.filter(village__township=world.township).count() == 3
    assert DisclosureCheck.objects.filter(year=quarter.year, quarter=quarter.quarter).count() == 4

