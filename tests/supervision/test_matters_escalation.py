"""督办 that helps: the assignee is told first, one digest a day per recipient, "逾期 N 天" in lists."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from cadres.roles import SYSTEM
from core.models import Notification
from supervision.models import MatterEvent
from supervision.services import matters as svc
from tests import factories as f
from tests.helpers import api_client, page_client, results

BEIJING_MORNING = dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _overdue(world, days: int, **kwargs):  # type: ignore[no-untyped-def]
    defaults = {"village": world.v1, "unit": world.unit, "assignee": world.cadre2, "status": "in_progress"}
    return f.MatterFactory(deadline=timezone.localdate() - dt.timedelta(days=days), **{**defaults, **kwargs})


def test_two_runs_the_same_day_give_one_digest_per_recipient_assignee_first(world):
    with time_machine.travel(BEIJING_MORNING, tick=False):
        today = timezone.localdate()
        first = _overdue(world, 3, description="路灯不亮")
        _overdue(world, 1, description="水渠堵塞")
        _overdue(world, 5, assignee=world.cadre1, description="垃圾未清运")

        assert svc.matters_escalate_overdue(actor=SYSTEM, today=today) == 3
        assert svc.matters_escalate_overdue(actor=SYSTEM, today=today) == 0

    notes = list(Notification.objects.filter(kind="matter_overdue").order_by("id"))
    assert [n.recipient.username for n in notes] == ["cadre1", "cadre2", "unithead", "deputy"]
    by_user = {n.recipient.username: n for n in notes}
    assert by_user["cadre2"].title == "督办：2 件事项已逾期，最长 3 天"
    assert by_user["cadre2"].body.splitlines()[0].startswith(f"逾期 3 天 —— #{first.pk} 路灯不亮")
    assert by_user["cadre2"].body.splitlines()[1].startswith("逾期 1 天 —— ")
    assert by_user["cadre1"].url == f"/matters/{by_user['cadre1'].url.split('/')[2]}/"
    assert by_user["unithead"].title == "督办：3 件事项已逾期，最长 5 天"
    assert by_user["unithead"].url == "/matters/?light=red"
    assert len(by_user["deputy"].body.splitlines()) == 3
    assert MatterEvent.objects.filter(action="escalate").count() == 3


def test_the_next_day_brings_a_new_digest(world):
    today = timezone.localdate()
    _overdue(world, 2)
    svc.matters_escalate_overdue(actor=SYSTEM, today=today)
    svc.matters_escalate_overdue(actor=SYSTEM, today=today + dt.timedelta(days=1))
    titles = list(
        Notification.objects.filter(recipient=world.cadre2.user).order_by("id").values_list("title", flat=True)
    )
    assert titles == ["督办：1 件事项已逾期，最长 2 天", "督办：1 件事项已逾期，最长 3 天"]


def test_a_unit_head_assignee_gets_one_digest_not_two(world):
    _overdue(world, 2, assignee=world.unit_head)
    svc.matters_escalate_overdue(actor=SYSTEM)
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["deputy", "unithead"]


def test_lists_show_days_overdue_on_beijings_calendar(world):
    # 23:30 on 4 Dec UTC is already 5 Dec in Beijing: a matter due on 2 Dec is 3 days overdue.
    with time_machine.travel(dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC), tick=False):
        matter = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre1, status="in_progress",
                                 deadline=dt.date(2026, 12, 2))
        done = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre1, status="closed",
                               deadline=dt.date(2026, 12, 1))
        page = page_client(world.cadre1.user).get("/matters/")
        rows = {r["id"]: r for r in results(api_client(world.cadre1.user).get("/api/v1/matters/"))}

    assert "逾期 3 天" in page.content.decode()
    assert rows[matter.pk]["overdue_days"] == 3
    assert rows[done.pk]["overdue_days"] is None
