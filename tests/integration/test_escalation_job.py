"""The daily 07:30 job under a real worker: overdue matters escalate to the unit head and the leader
in charge, cadres behind on their diaries are reminded; run twice, nobody is told twice."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Notification
from supervision.models import Matter, MatterEvent
from supervision.tasks import daily_loop_task
from tests import factories as f

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]

TODAY = dt.date(2026, 11, 25)  # Wednesday: Monday 23 and Tuesday 24 are in the backfill window


def succeeded(worker) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for line in worker.log().splitlines() if "supervision.daily[" in line and "succeeded" in line)


def test_daily_job_twice_under_a_real_worker_notifies_once(celery_worker, world):
    overdue = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre2, status="in_progress",
                              deadline=TODAY - dt.timedelta(days=3))
    f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre2, status="in_progress",
                    deadline=TODAY + dt.timedelta(days=3))
    for cadre in (world.secretary, world.head, world.deputy, world.inspector, world.office, world.unit_head,
                  world.cadre2, world.cadre3):
        for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 24)):
            f.DiaryFactory(author=cadre, village=world.v1, date=day)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 24)):
        f.DiaryFactory(author=world.outsider, village=world.v_other, date=day)

    daily_loop_task.delay(TODAY.isoformat())
    wait_for(lambda: succeeded(celery_worker) == 1, timeout=90)
    first = sorted(Notification.objects.values_list("recipient__username", "kind", "dedupe_key"))
    assert first == [
        ("cadre1", "diary_reminder", f"diary-reminder:{world.cadre1.pk}:2026-11-25"),
        # One digest a day per recipient: the assignee first, then the unit head and the leader in charge.
        ("cadre2", "matter_overdue", f"matters-overdue:{world.cadre2.user_id}:2026-11-25"),
        ("deputy", "matter_overdue", f"matters-overdue:{world.deputy.user_id}:2026-11-25"),
        ("unithead", "matter_overdue", f"matters-overdue:{world.unit_head.user_id}:2026-11-25"),
    ]
    assert Matter.objects.get(pk=overdue.pk).escalated_on == TODAY

    daily_loop_task.delay(TODAY.isoformat())
    wait_for(lambda: succeeded(celery_worker) == 2, timeout=90)
    assert sorted(Notification.objects.values_list("recipient__username", "kind", "dedupe_key")) == first
    assert MatterEvent.objects.filter(matter=overdue, action="escalate").count() == 1

