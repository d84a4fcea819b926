"""A worker killed with SIGKILL while the quarterly disclosure check runs (Redis broker, PostgreSQL).

The task is acks_late + reject_on_worker_lost, so the unacked message comes back (after the
visibility timeout, shortened here through CELERY_VISIBILITY_TIMEOUT) to the next worker. The
service is one transaction, so the crash leaves all or nothing — never part of a township.

The kill lands as soon as the worker logs the task as received: usually before or inside the
service's transaction, but the timing is not guaranteed, so the test asserts what holds at any
kill point: never a partial set of rows, and after the restart exactly one set, equal to a clean run.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from cadres.roles import SYSTEM
from core.models import JobRun
from portal.celery import app
from supervision.models import DisclosureCheck, DisclosureCheckItem
from supervision.quarters import last_due_quarter
from supervision.services.disclosures import disclosure_check_run
from supervision.tasks import disclosure_check_task
from tests import factories as f

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]

EXTRA_VILLAGES = 40
VISIBILITY_TIMEOUT = 3


@pytest.fixture
def crashable_worker(request, monkeypatch, transactional_db):  # type: ignore[no-untyped-def]
    # transactional_db is named here so the suite's autouse fixtures see it (the worker must see
    # what the test commits); celery_worker is fetched after the environment is set.
    # The worker subprocess reads its settings from the environment it is started with.
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))
    return request.getfixturevalue("celery_worker")


def check_rows(township):  # type: ignore[no-untyped-def]
    checks = sorted(DisclosureCheck.objects.filter(township=township).values_list(
        "pk", "village_id", "year", "quarter", "score", "on_time_count", "late_count", "missing_count"))
    items = sorted(DisclosureCheckItem.objects.filter(check_run__township=township).values_list(
        "pk", "check_run_id", "requirement_id", "period_start", "result"))
    return checks, items


def test_a_worker_killed_mid_check_leaves_no_half_result_and_the_redelivered_task_runs_once(
        crashable_worker, world):
    quarter = last_due_quarter()
    villages = [world.v1, world.v2, world.v3] + [
        f.VillageFactory(township=world.township, name=f"测试村{i:02d}", code=f"T{i:03d}")
        for i in range(EXTRA_VILLAGES)]
    for village in villages[::2]:
        f.DisclosureFactory(village=village, township=world.township, period_start=quarter.start,
                            period_end=quarter.end, posted_on=quarter.end + dt.timedelta(days=5))
    job = JobRun.objects.create(name="disclosure_check", params={"quarter": str(quarter)})

    disclosure_check_task.delay(quarter.year, quarter.quarter, world.township.pk, job.pk)
    wait_for(lambda: "received" in crashable_worker.log(), timeout=60, interval=0.02)
    crashable_worker.kill()

    # All or nothing: the service's single transaction either committed or left no trace.
    written = DisclosureCheck.objects.filter(township=world.township).count()
    assert written in (0, len(villages))
    assert DisclosureCheckItem.objects.filter(check_run__township=world.township).exists() == bool(written)

    # Past the visibility timeout, kombu's sweep (which any live consumer runs, but throttled to
    # ~100 s) puts the unacked message back on its queue; run that sweep once, now.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    with app.connection_for_write(transport_options={"visibility_timeout": VISIBILITY_TIMEOUT}) as conn:
        conn.default_channel.qos.restore_visible(num=100, interval=1)
    crashable_worker.start()
    try:
        wait_for(lambda: JobRun.objects.filter(pk=job.pk, status=JobRun.Status.SUCCEEDED).exists(), timeout=45)
    except AssertionError as exc:
        raise AssertionError(f"not redelivered; worker log:\n{crashable_worker.log()[-700:]}") from exc

    after_crash = check_rows(world.township)
    assert len(after_crash[0]) == len(villages)
    assert DisclosureCheck.objects.filter(village=world.v_other).count() == 0
    # Exactly once: one success in the log for the (single) task id, and a clean rerun of the
    # service in this process changes nothing.
    task_ids = set(re.findall(r"supervision\.disclosure_check\[([0-9a-f-]+)\] received", crashable_worker.log()))
    assert len(task_ids) == 1
    assert crashable_worker.log().count("succeeded") == 1
    disclosure_check_run(year=quarter.year, quarter=quarter.quarter, township=world.township, actor=SYSTEM)
    assert check_rows(world.township) == after_crash
    job.refresh_from_db()
    assert "村务公开检查" in job.message
    assert JobRun.objects.filter(name="disclosure_check").count() == 1
