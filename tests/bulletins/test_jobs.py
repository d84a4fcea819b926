"""The other ways in: the Celery tasks, the monthly beat schedule, `manage.py compile_bulletin`,
the admin actions, the dashboard panels and the demo data."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from bulletins import demo
from bulletins.dashboard import panels
from bulletins.models import Bulletin
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish
from bulletins.tasks import compile_bulletin_task, compile_monthly_task
from cadres.roles import SYSTEM, actor_for
from core.demo import DemoContext
from core.models import JobRun

from .conftest import END, START


def test_monthly_schedule_is_the_first_at_three_beijing_time_and_created_once(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("bulletins.migrations.0003_monthly_schedule")
    # The migration already ran for the test database; running it again must not add a second row
    # (and restores the row if a transactional test elsewhere flushed it).
    migration.create_schedule(apps, None)

    (task,) = PeriodicTask.objects.filter(task="bulletins.compile_monthly")
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week) == (
        "0", "3", "1", "*", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"
    assert task.enabled and json.loads(task.kwargs) == {}


def test_monthly_task_compiles_the_previous_month_for_every_township_and_reruns_update(october):
    w = october.world

    first = compile_monthly_task.delay(today="2026-11-01").get()
    second = compile_monthly_task.delay(today="2026-11-01").get()

    assert first == second
    assert Bulletin.objects.count() == 2  # both townships
    ours = Bulletin.objects.get(township=w.township)
    assert (ours.period_start, ours.period_end) == (START, END)
    assert ours.figures["diaries"]["written"] == 4


def test_monthly_task_leaves_a_published_month_alone(october):
    w = october.world
    b = bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM)
    bulletin_approve(bulletin=b, actor=actor_for(w.secretary.user))
    b = bulletin_publish(bulletin=b, actor=actor_for(w.office.user))

    ids = compile_monthly_task.delay(today="2026-11-01").get()

    assert b.pk not in ids and len(ids) == 1
    assert Bulletin.objects.get(pk=b.pk).compiled_at == b.compiled_at


def test_compile_task_reports_on_its_job(october):
    w = october.world
    job = JobRun.objects.create(name="bulletins.compile", started_by=w.office.user)

    ids = compile_bulletin_task.delay("2026-10-01", "2026-10-31", township_id=w.township.pk, job_id=job.pk,
                                      user_id=w.office.user.pk).get()

    job.refresh_from_db()
    assert ids == [Bulletin.objects.get().pk]
    assert (job.status, job.progress, job.result_url) == ("succeeded", 100, f"/bulletins/{ids[0]}/")
    assert job.finished_at is not None


def test_compile_task_retries_a_transient_database_error(october, monkeypatch):
    from bulletins import services

    calls = {"n": 0}
    real = services.bulletin_compile

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    from portal.celery import app

    monkeypatch.setattr(services, "bulletin_compile", flaky)
    # With eager propagation the Retry itself would surface; a worker retries instead.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        ids = compile_bulletin_task.apply(args=["2026-10-01", "2026-10-31"],
                                          kwargs={"township_id": october.world.township.pk}).get()
    finally:
        app.conf.task_eager_propagates = propagates

    assert calls["n"] == 2 and len(ids) == 1


# --- manage.py compile_bulletin ---------------------------------------------------------------------


def test_command_compiles_in_the_foreground_and_prints_a_summary(october):
    out = io.StringIO()

    call_command("compile_bulletin", "--start", "2026-10-01", "--end", "2026-10-31", "--township", "620001",
                 stdout=out)

    text = out.getvalue()
    assert "东河镇" in text and "实写4篇" in text and "逾期2件" in text and "完成：1个乡镇" in text
    assert Bulletin.objects.count() == 1
    call_command("compile_bulletin", "--start", "2026-10-01", "--end", "2026-10-31", "--township", "620001",
                 stdout=io.StringIO())
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize("args, message", [
    (["--start", "2026-10-32", "--end", "2026-10-31"], "--start 日期无效"),
    (["--start", "2026-10-01", "--end", "31/10/2026"], "--end 日期无效"),
    (["--start", "2026-10-31", "--end", "2026-10-01"], "结束日期不能早于开始日期"),
    (["--start", "2026-10-01", "--end", "2026-10-31", "--township", "999"], "没有行政区划代码为 999 的乡镇"),
])
def test_command_refuses_bad_input_with_a_message(october, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("compile_bulletin", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert Bulletin.objects.count() == 0


def test_command_exits_non_zero_for_a_published_period(october):
    w = october.world
    b = bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM)
    bulletin_approve(bulletin=b, actor=actor_for(w.secretary.user))
    bulletin_publish(bulletin=b, actor=actor_for(w.office.user))

    with pytest.raises(CommandError, match="不能重新汇总"):
        call_command("compile_bulletin", "--start", "2026-10-01", "--end", "2026-10-31", "--township", "620001",
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_command_bad_dates_exit_with_status_1(db):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "manage.py", "compile_bulletin", "--start", "yesterday", "--end",
                             "2026-10-31"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "--start 日期无效" in result.stderr


# --- admin -------------------------------------------------------------------------------------------


def test_admin_actions_call_the_services(october, client):
    from django.contrib.auth.models import User

    w = october.world
    root = User.objects.create_superuser("root", password="Root-password-2026")
    client.force_login(root)
    b = bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM)
    Bulletin.objects.filter(pk=b.pk).update(figures={})

    client.post("/admin/bulletins/bulletin/", {"action": "recompile", "_selected_action": [b.pk]})
    b.refresh_from_db()
    assert b.figures["diaries"]["written"] == 4

    client.post("/admin/bulletins/bulletin/", {"action": "publish", "_selected_action": [b.pk]})
    b.refresh_from_db()
    assert b.status == "draft"  # refused: not approved yet, and said so
    client.post("/admin/bulletins/bulletin/", {"action": "approve", "_selected_action": [b.pk]})
    response = client.post("/admin/bulletins/bulletin/", {"action": "publish", "_selected_action": [b.pk]},
                           follow=True)
    b.refresh_from_db()
    assert (b.status, b.number) == ("published", 1)
    assert "已发布1期简报" in response.content.decode()
    assert client.get(f"/admin/bulletins/bulletin/{b.pk}/change/").status_code == 200
    assert client.get("/admin/bulletins/bulletin/add/").status_code == 403


# --- dashboard ---------------------------------------------------------------------------------------


def test_dashboard_panels(october, client):
    w = october.world
    d = bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM)
    sept = bulletin_compile(township=w.township, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), actor=SYSTEM)
    bulletin_approve(bulletin=sept, actor=actor_for(w.secretary.user))
    sept = bulletin_publish(bulletin=sept, actor=actor_for(w.office.user))

    office = panels(actor_for(w.office.user), w.office.user)
    cadre = panels(actor_for(w.cadre1.user), w.cadre1.user)
    outsider = panels(actor_for(w.outsider.user), w.outsider.user)

    assert [p["template"] for p in office] == ["bulletins/_panel_drafts.html", "bulletins/_panel_latest.html"]
    assert office[0]["bulletins"] == [d]
    assert [p["template"] for p in cadre] == ["bulletins/_panel_latest.html"]
    assert cadre[0]["bulletin"] == sept
    assert outsider == []
    client.force_login(w.office.user)
    html = client.get("/").content.decode()
    assert "待处理的简报" in html and f"/bulletins/{sept.pk}/" in html


# --- demo --------------------------------------------------------------------------------------------


def test_demo_seeds_last_months_published_bulletin_and_this_months_draft_once(october):
    w = october.world
    ctx = DemoContext(rng=random.Random(1), seed=1, scale="township", password="Demo-password-1",
                      today=dt.date(2026, 11, 25), out=lambda line: None, townships=[w.township],
                      main_township=w.township)

    demo.seed(ctx)
    demo.seed(ctx)

    bulletins = list(Bulletin.objects.filter(township=w.township).order_by("period_start"))
    assert [(b.period_start, b.period_end, b.status) for b in bulletins] == [
        (START, END, "published"), (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "draft")]
    assert bulletins[0].number == 1 and bulletins[0].editor_note.startswith("本期简报")
