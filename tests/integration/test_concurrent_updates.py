"""Twenty writers at once on one matter and on one pledge (real PostgreSQL): no write is lost.

Every thread has its own database connection (closed when it ends); the services lock the row
(SELECT … FOR UPDATE), so the writers queue behind each other instead of overwriting each other.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import Matter, MatterEvent, Pledge, TargetProgress
from supervision.services import matters as matter_svc
from supervision.services import pledges as pledge_svc
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 20


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job behind one barrier so they really collide; return results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(10)
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_twenty_simultaneous_reassignments_of_one_matter_each_leave_an_event_and_a_history_row(world):
    matter = f.MatterFactory(village=world.v1)
    history_before = matter.history.count()
    today = timezone.localdate()
    deadlines = [today + dt.timedelta(days=10 + i) for i in range(WRITERS)]

    def assign(deadline: dt.date) -> Callable[[], object]:
        def job() -> object:
            actor = actor_for(User.objects.get(username="office"))
            return matter_svc.matter_assign(actor=actor, matter=Matter.objects.get(pk=matter.pk), unit=world.unit,
                                            deadline=deadline)
        return job

    results = run_at_once([assign(d) for d in deadlines])

    assert [r for r in results if not isinstance(r, Matter)] == []
    events = list(MatterEvent.objects.filter(matter=matter).order_by("pk"))
    assert len(events) == WRITERS
    assert [e.action for e in events] == ["assign"] + ["reassign"] * (WRITERS - 1)
    # Serialised: each event starts from the state the previous one left.
    assert [e.from_status for e in events] == [Matter.Status.REGISTERED] + [Matter.Status.ASSIGNED] * (WRITERS - 1)
    assert matter.history.count() == history_before + WRITERS
    # Every writer's deadline was applied once, and the matter holds the last writer's.
    history_deadlines = sorted(matter.history.order_by("history_id").values_list("deadline", flat=True)[1:])
    assert history_deadlines == deadlines
    last = matter.history.order_by("-history_id").first()
    assert last is not None
    assert Matter.objects.get(pk=matter.pk).deadline == last.deadline


def test_twenty_simultaneous_progress_reports_on_one_pledge_are_all_kept(world):
    template = f.pledge_template(world.township, "village", year=2026, base=(20, 20, 20, 20, 20), bonus=(), veto=0)
    [pledge] = pledge_svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(world.office.user))
    pledge_svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    pledge_svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    targets = list(pledge.targets.order_by("pk"))
    assert len(targets) * 4 == WRITERS
    reports = {(t.pk, q): f"目标{t.pk}第{q}季度进展" for t in targets for q in (1, 2, 3, 4)}

    def report(target_id: int, quarter: int, text: str) -> Callable[[], object]:
        def job() -> object:
            target = pledge.targets.model.objects.get(pk=target_id)
            return pledge_svc.pledge_report_progress(target=target, quarter=quarter, report=text,
                                                     actor=actor_for(User.objects.get(username="village1")))
        return job

    results = run_at_once([report(tid, q, text) for (tid, q), text in reports.items()])

    assert [r for r in results if not isinstance(r, TargetProgress)] == []
    stored = {(p.target_id, p.quarter): p.report for p in TargetProgress.objects.filter(target__pledge=pledge)}
    assert stored == reports
    assert TargetProgress.history.filter(target__pledge=pledge).count() == WRITERS
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.COUNTERSIGNED
