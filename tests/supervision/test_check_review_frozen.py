"""A reviewed quarterly disclosure check is frozen: a rerun (service, command, job) leaves it and
the pledge scores read from it as they are and reports which villages a recompile would change;
unreviewed checks are still recompiled."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from cadres.models import Township
from cadres.roles import SYSTEM, actor_for
from core.models import JobRun
from supervision.models import DisclosureCheck, DisclosureCheckItem
from supervision.services.check_jobs import JOB_NAME
from supervision.services.disclosures import disclosure_check_review, disclosure_check_run
from supervision.services.pledges import disclosure_target_score
from supervision.tasks import disclosure_check_task
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
AFTER_Q3 = D(2026, 10, 25)
QUARTERLY = "村务工作计划及落实情况"
FROZEN_ONE = "1 个村的检查已审核，未改动；其中 1 个村按现有数据重算会不同。按现有数据重算会不同的村：光明路村。"


def post(village, posted):
    return f.DisclosureFactory(village=village, category=QUARTERLY, posted_on=posted)


def figures(village):
    check = DisclosureCheck.objects.get(village=village, year=2026, quarter=3)
    items = sorted(check.items.values_list("requirement_id", "period_start", "result", "computed_result",
                                           "disclosure_id"))
    return check.status, check.score, check.on_time_count, check.late_count, check.missing_count, items


def township(world):
    return Township.objects.get(pk=world.township.pk)


@pytest.fixture
def reviewed(world):
    """Q3 compiled for the township; v2 (nothing posted: 8 missing, 60 points) reviewed by the office."""
    disclosure_check_run(year=2026, quarter=3, township=township(world), today=AFTER_Q3, actor=SYSTEM)
    check = DisclosureCheck.objects.get(village=world.v2, year=2026, quarter=3)
    disclosure_check_review(check=check, actor=actor_for(world.office.user), notes="已核")
    return world


def test_a_rerun_leaves_a_reviewed_check_and_reports_that_it_would_differ(reviewed):
    # given v2's reviewed check, and postings that arrive afterwards for v2 and for unreviewed v3
    world = reviewed
    before = figures(world.v2)
    assert before[:5] == ("reviewed", Decimal("60.0"), 0, 0, 8)
    post(world.v2, D(2026, 10, 10))
    post(world.v3, D(2026, 10, 10))

    # when the quarter is run again
    summary = disclosure_check_run(year=2026, quarter=3, township=township(world), today=AFTER_Q3, actor=SYSTEM)

    # then v2 keeps the reviewed figures and items, and the summary says a recompile would differ
    assert figures(world.v2) == before
    assert (summary.frozen, summary.frozen_differing, summary.checks_updated) == (1, ["光明路村"], 1)
    assert summary.as_text().endswith(FROZEN_ONE)
    # and the unreviewed v3 is recompiled: one item fewer missing
    assert figures(world.v3)[:5] == ("compiled", Decimal("65.0"), 1, 0, 7)


def test_a_rerun_with_nothing_new_reports_no_difference_and_writes_nothing(reviewed):
    world = reviewed
    rows = list(DisclosureCheckItem.objects.order_by("pk").values_list("pk", "result", "computed_result"))

    summary = disclosure_check_run(year=2026, quarter=3, township=township(world), today=AFTER_Q3, actor=SYSTEM)

    assert (summary.frozen, summary.frozen_differing, summary.checks_updated, summary.items_updated) == (1, [], 0, 0)
    assert "1 个村的检查已审核，未改动；其中 0 个村按现有数据重算会不同。" in summary.as_text()
    assert list(DisclosureCheckItem.objects.order_by("pk").values_list("pk", "result", "computed_result")) == rows


def test_the_pledge_score_keeps_reading_the_reviewed_figures(reviewed):
    world = reviewed
    args = {"village_id": world.v2.pk, "year": 2026, "points": Decimal(20), "township_id": world.township.pk}
    assert disclosure_target_score(**args) == Decimal("12.0")  # 60 of 100, scaled to 20 points
    post(world.v2, D(2026, 10, 10))

    disclosure_check_run(year=2026, quarter=3, township=township(world), today=AFTER_Q3, actor=SYSTEM)

    assert disclosure_target_score(**args) == Decimal("12.0")


def test_the_command_and_the_job_report_the_frozen_checks(reviewed):
    world = reviewed
    before = figures(world.v2)
    post(world.v2, D(2026, 10, 10))

    out = io.StringIO()
    call_command("run_disclosure_check", "--quarter", "2026Q3", "--township", world.township.code, stdout=out)
    assert FROZEN_ONE in out.getvalue()

    job = JobRun.objects.create(name=JOB_NAME, started_by=world.office.user,
                                params={"quarter": "2026Q3", "township": world.township.pk})
    disclosure_check_task(2026, 3, world.township.pk, job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert FROZEN_ONE in job.message
    assert figures(world.v2) == before
