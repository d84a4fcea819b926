"""A real Celery worker runs a task end to end through the real broker."""

import uuid

import pytest

from core.models import JobRun
from portal.tasks import ping

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]


def test_real_worker_runs_a_task_end_to_end(celery_worker):
    token = uuid.uuid4().hex
    ping.delay(token)
    wait_for(lambda: JobRun.objects.filter(name="ping", params__token=token).exists(), timeout=60)
    assert "portal.ping" in celery_worker.log()
