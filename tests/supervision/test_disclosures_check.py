"""The quarterly disclosure check: due rules, scoring, idempotency, office adjustments, cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadres.models import Township
from cadres.roles import SYSTEM, actor_for
from core.errors import DomainError, NotAllowed
from core.models import Notification
from supervision.models import DisclosureCheck, DisclosureCheckItem, DisclosureRequirement, DisclosureRubric
from supervision.notifications import NotificationKind
from supervision.quarters import QuarterError
from supervision.services.disclosures import (
    disclosure_check_item_adjust,
    disclosure_check_review,
    disclosure_check_run,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
AFTER_Q3 = D(2026, 10, 25)
QUARTERLY = ["村务工作计划及落实情况", "惠农补贴及救助资金发放", "低保、五保及救助对象", "宅基地使用及集体土地承包"]
FINANCE = ("finance", "村级财务收支")
MAJOR = ("village_affairs", "重大事项（一事一议、工程项目）")


Q3_START, Q3_END = D(2026, 7, 1), D(2026, 9, 30)


def post(village, category, *, posted, start=Q3_START, end=Q3_END, domain="village_affairs", decision=None):
    return f.DisclosureFactory(village=village, township=village.township, domain=domain, category=category,
                               period_start=start, period_end=end, posted_on=posted, decision_date=decision)


def post_quarterly(village, posted):
    for category in QUARTERLY:
        post(village, category, posted=posted)
    post(village, "党员发展与党费收缴", posted=posted, domain="party_affairs")


def months(village, posted_dates):
    for (start, end), posted in zip(
        [(D(2026, 7, 1), D(2026, 7, 31)), (D(2026, 8, 1), D(2026, 8, 31)), (D(2026, 9, 1), D(2026, 9, 30))],
        posted_dates, strict=True,
    ):
        if posted:
            post(village, FINANCE[1], domain=FINANCE[0], start=start, end=end, posted=posted)


@pytest.fixture
def q3(world):
    """v1: mostly on time; v2: nothing posted; v3: quarterly items late, finance on time."""
    post_quarterly(world.v1, D(2026, 10, 10))
    months(world.v1, [D(2026, 8, 5), D(2026, 9, 15), None])
    post(world.v1, MAJOR[1], start=D(2026, 8, 1), end=D(2026, 8, 1), decision=D(2026, 8, 1), posted=D(2026, 8, 3))
    post(world.v1, MAJOR[1], start=D(2026, 9, 1), end=D(2026, 9, 1), decision=D(2026, 9, 1), posted=D(2026, 9, 10))
    post_quarterly(world.v3, D(2026, 10, 22))
    months(world.v3, [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 9)])
    # Outside the quarter: never read, never counted.
    post(world.v2, QUARTERLY[0], start=D(2026, 4, 1), end=D(2026, 6, 30), posted=D(2026, 7, 10))
    return world


def run(**kwargs):
    """The check for the world's township (the other township has its own test)."""
    kwargs.setdefault("township", Township.objects.get(code="620001"))
    return disclosure_check_run(actor=SYSTEM, **kwargs)


def snapshot():
    checks = list(DisclosureCheck.objects.order_by("pk").values_list(
        "pk", "village_id", "score", "on_time_count", "late_count", "missing_count", "rectification_deadline"))
    items = list(DisclosureCheckItem.objects.order_by("pk").values_list(
        "pk", "check_run_id", "requirement_id", "period_start", "due_date", "result", "disclosure_id"))
    return checks, items


def counts(village):
    check = DisclosureCheck.objects.get(village=village, year=2026, quarter=3)
    return check.on_time_count, check.late_count, check.missing_count, check.score


def test_each_village_requirement_and_period_is_on_time_late_or_missing(q3):
    summary = disclosure_check_run(year=2026, quarter=3, today=AFTER_Q3, actor=SYSTEM)

    # v1: 5 quarterly on time, finance Jul on time / Aug late (due 10 Sep) / Sep missing,
    # decisions of 1 Aug on time (within 5 days) and 1 Sep late → 100 − 5 − 2×2 = 91
    assert counts(q3.v1) == (7, 2, 1, Decimal("91.0"))
    assert counts(q3.v2) == (0, 0, 8, Decimal("60.0"))  # 5 quarterly + 3 months missing, −5 each
    assert counts(q3.v3) == (3, 5, 0, Decimal("90.0"))  # quarterly due 20 Oct, posted 22 Oct
    # all townships: the other township's village has posted nothing either (8 missing)
    assert (summary.townships, summary.villages, summary.on_time, summary.late, summary.missing) == (2, 4, 10, 7, 17)
    items = DisclosureCheckItem.objects.filter(check_run__village=q3.v1, requirement__category=FINANCE[1])
    assert [(i.period_start, i.due_date, i.result) for i in items.order_by("period_start")] == [
        (D(2026, 7, 1), D(2026, 8, 10), "on_time"), (D(2026, 8, 1), D(2026, 9, 10), "late"),
        (D(2026, 9, 1), D(2026, 10, 10), "missing")]
    major = DisclosureCheckItem.objects.filter(check_run__village=q3.v1, requirement__category=MAJOR[1])
    assert [(i.period_start, i.due_date, i.result) for i in major.order_by("period_start")] == [
        (D(2026, 8, 1), D(2026, 8, 6), "on_time"), (D(2026, 9, 1), D(2026, 9, 6), "late")]
    quarterly = DisclosureCheckItem.objects.filter(check_run__village=q3.v3, requirement__frequency="quarterly").first()
    assert (quarterly.period_start, quarterly.period_end, quarterly.due_date) == (D(2026, 7, 1), D(2026, 9, 30),
                                                                                   D(2026, 10, 20))


def test_gaps_get_a_rectification_deadline(q3):
    run(year=2026, quarter=3, today=AFTER_Q3)
    deadlines = dict(DisclosureCheck.objects.values_list("village_id", "rectification_deadline"))
    assert deadlines == {q3.v1.pk: D(2026, 11, 9), q3.v2.pk: D(2026, 11, 9), q3.v3.pk: None}


def test_running_twice_gives_the_same_rows(q3):
    first = run(year=2026, quarter=3, today=AFTER_Q3)
    before = snapshot()
    history = DisclosureCheckItem.history.count()

    second = run(year=2026, quarter=3, today=D(2026, 10, 28))

    assert snapshot() == before
    assert DisclosureCheckItem.history.count() == history  # nothing rewritten
    assert (first.checks_created, first.items_created) == (3, 26)
    assert (second.checks_created, second.checks_updated, second.items_created, second.items_updated,
            second.items_removed) == (0, 0, 0, 0, 0)


def test_a_rerun_sees_a_late_posting_and_keeps_the_rectification_deadline(q3):
    run(year=2026, quarter=3, today=AFTER_Q3)
    post(q3.v2, QUARTERLY[0], posted=D(2026, 10, 27))

    run(year=2026, quarter=3, today=D(2026, 10, 28))

    assert counts(q3.v2) == (0, 1, 7, Decimal("63.0"))
    assert DisclosureCheck.objects.get(village=q3.v2).rectification_deadline == D(2026, 11, 9)


def test_office_adjustments_survive_a_rerun_and_keep_their_history(q3):
    run(year=2026, quarter=3, today=AFTER_Q3)
    item = DisclosureCheckItem.objects.get(check_run__village=q3.v1, result="missing")

    disclosure_check_item_adjust(item=item, result="on_time", reason="九月财务已在公开栏公开，照片见附件",
                                 actor=actor_for(q3.office.user))
    assert counts(q3.v1) == (8, 2, 0, Decimal("96.0"))
    run(year=2026, quarter=3, today=D(2026, 10, 28))

    item.refresh_from_db()
    assert (item.result, item.computed_result, item.adjusted) == ("on_time", "missing", True)
    assert item.adjusted_by == q3.office.user
    assert counts(q3.v1) == (8, 2, 0, Decimal("96.0"))
    assert DisclosureCheck.objects.get(village=q3.v1).rectification_deadline is None
    assert [h.result for h in item.history.order_by("history_date")] == ["missing", "on_time"]


def test_an_adjustment_needs_the_office_and_a_reason(q3):
    run(year=2026, quarter=3, today=AFTER_Q3)
    item = DisclosureCheckItem.objects.get(check_run__village=q3.v1, result="missing")
    with pytest.raises(DomainError, match="必须填写理由"):
        disclosure_check_item_adjust(item=item, result="on_time", reason="  ", actor=actor_for(q3.office.user))
    for who in ("village1", "secretary", "outsider"):
        with pytest.raises(NotAllowed):
            disclosure_check_item_adjust(item=item, result="on_time", reason="理由", actor=actor_for(q3.users[who]))
    item.refresh_from_db()
    assert (item.result, item.adjusted, item.adjust_reason) == ("missing", False, "")


def test_the_office_reviews_a_check_once(q3):
    run(year=2026, quarter=3, today=AFTER_Q3)
    check = DisclosureCheck.objects.get(village=q3.v2)
    with pytest.raises(NotAllowed):
        disclosure_check_review(check=check, actor=actor_for(q3.secretary.user))
    disclosure_check_review(check=check, actor=actor_for(q3.office.user), notes="已约谈村支书")
    check.refresh_from_db()
    assert (check.status, check.checker, check.notes) == ("reviewed", q3.office.user, "已约谈村支书")
    with pytest.raises(DomainError, match="已审核"):
        disclosure_check_review(check=check, actor=actor_for(q3.office.user))


def test_items_not_yet_due_are_not_judged(q3):
    run(year=2026, quarter=3, today=D(2026, 10, 15))  # quarterly items are due on the 20th
    assert counts(q3.v2) == (0, 0, 3, Decimal("85.0"))  # only the three finance months were due
    assert counts(q3.v3) == (3, 0, 0, Decimal("100.0"))


def test_annual_items_are_checked_in_the_fourth_quarter_only(world):
    post(world.v1, "年度村务与财务审计结果", start=D(2026, 1, 1), end=D(2026, 12, 31), posted=D(2027, 1, 18))
    run(year=2026, quarter=4, today=D(2027, 1, 25))
    annual = DisclosureCheckItem.objects.get(check_run__village=world.v1, requirement__frequency="annual")
    assert (annual.period_start, annual.due_date, annual.result) == (D(2026, 1, 1), D(2027, 1, 20), "on_time")
    assert not DisclosureCheckItem.objects.filter(check_run__quarter=3).exists()


def test_a_quarter_that_has_not_ended_or_does_not_exist_is_refused(world):
    with pytest.raises(DomainError, match="尚未结束"):
        disclosure_check_run(year=2026, quarter=4, today=D(2026, 12, 31), actor=SYSTEM)
    with pytest.raises(QuarterError):
        disclosure_check_run(year=2026, quarter=7, today=AFTER_Q3, actor=SYSTEM)
    assert DisclosureCheck.objects.count() == 0


def test_one_township_only_when_asked(q3):
    f.VillageFactory(township=q3.other_township)
    disclosure_check_run(year=2026, quarter=3, township=q3.township, today=AFTER_Q3, actor=SYSTEM)
    assert set(DisclosureCheck.objects.values_list("township_id", flat=True)) == {q3.township.pk}
    disclosure_check_run(year=2026, quarter=3, today=AFTER_Q3, actor=SYSTEM)
    assert DisclosureCheck.objects.filter(township=q3.other_township).count() == 2


def test_a_townships_own_requirement_and_rubric_replace_the_general_ones(q3):
    DisclosureRequirement.objects.create(township=q3.township, domain=FINANCE[0], category=FINANCE[1],
                                         frequency="quarterly", due_day=15)
    DisclosureRubric.objects.create(township=q3.township, missing_penalty=10, late_penalty=1)
    run(year=2026, quarter=3, today=AFTER_Q3)
    # v2 misses 5 quarterly items plus the township's single quarterly finance item: 100 − 6×10
    assert counts(q3.v2) == (0, 0, 6, Decimal("40.0"))


def test_village_cadres_are_notified_of_gaps_once(q3, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run(year=2026, quarter=3, today=AFTER_Q3)
    notes = Notification.objects.filter(kind=NotificationKind.DISCLOSURE_CHECK)
    assert [(n.recipient, n.dedupe_key) for n in notes] == [(q3.village1.user, f"disclosure-check:{q3.v1.pk}:2026Q3")]
    assert "缺项1项，逾期2项，得分91.0" in notes[0].body


def test_the_run_costs_the_same_number_of_queries_for_3_or_30_villages(q3):
    township = q3.township

    def run_queries() -> tuple[list[str], int]:
        DisclosureCheck.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            disclosure_check_run(year=2026, quarter=3, township=township, today=AFTER_Q3, actor=SYSTEM)
        statements = [q["sql"].split(" ", 1)[0] for q in ctx.captured_queries]
        inserts = statements.count("INSERT")
        return [s for s in statements if s != "INSERT"], inserts

    few, few_inserts = run_queries()
    for n in range(27):
        village = f.VillageFactory(township=township)
        post_quarterly(village, D(2026, 10, 10 + n % 15))
    many, many_inserts = run_queries()

    assert DisclosureCheck.objects.count() == 30
    # Reads and updates: savepoint, lock townships, villages, requirements, rubrics, the quarter's
    # disclosures, existing checks (+ their items when there are any), release.
    assert few == many == ["SAVEPOINT", "SELECT", "SELECT", "SELECT", "SELECT", "SELECT", "SELECT", "RELEASE"]
    # Four bulk inserts (checks, their history, items, their history); SQLite alone splits a bulk
    # insert into statements of at most 999 parameters.
    assert few_inserts == 4
    assert many_inserts == (4 if connection.vendor == "postgresql" else 10)


def test_the_beat_schedule_is_the_21st_of_the_month_after_each_quarter_at_two():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="supervision.disclosure_check_due")
    crontab = task.crontab
    assert task.enabled
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year) == ("0", "2", "21", "1,4,7,10")
    assert str(crontab.timezone) == "Asia/Shanghai"


# --- from the admin ---------------------------------------------------------------------------------


def test_the_office_runs_a_quarter_from_the_admin_and_sees_the_jobs_progress(q3, client,
                                                                             django_capture_on_commit_callbacks):
    from core.models import JobRun

    q3.office.user.is_staff = True
    q3.office.user.save()
    client.force_login(q3.office.user)
    bad = client.post("/admin/supervision/disclosurecheck/run/", {"quarter": "2026Q7"})
    assert bad.status_code == 200 and "季度格式不正确" in bad.content.decode()
    assert not JobRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/supervision/disclosurecheck/run/", {"quarter": "2026Q3"})
    job = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    assert (job.status, job.params) == ("succeeded", {"quarter": "2026Q3", "township": q3.township.pk})
    assert DisclosureCheck.objects.filter(year=2026, quarter=3).count() == 3  # the office's township only
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "2026年第三季度 村务公开检查" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/supervision/disclosurecheck/", {
            "action": "rerun", "_selected_action": list(DisclosureCheck.objects.values_list("pk", flat=True))})
    assert JobRun.objects.filter(status="succeeded").count() == 2
    assert DisclosureCheck.objects.count() == 3


def test_a_future_quarter_from_the_admin_fails_the_job_with_the_reason(q3, client, django_capture_on_commit_callbacks):
    from core.models import JobRun

    q3.office.user.is_staff = True
    q3.office.user.save()
    client.force_login(q3.office.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/supervision/disclosurecheck/run/", {"quarter": "2099Q1"})
    job = JobRun.objects.get()
    assert (job.status, job.message) == ("failed", "2099年第一季度 尚未结束，季度结束后才能检查。")
    assert not DisclosureCheck.objects.exists()


def test_the_gaps_panel_costs_the_same_for_3_or_30_villages(q3, django_assert_num_queries):
    from cadres.roles import actor_for
    from supervision.dashboard import pledges_disclosures as dashboard_duties

    for _ in range(27):
        f.VillageFactory(township=q3.township)
    for villages, missing in ((3, 9), (30, 9 + 27 * 8)):
        run(year=2026, quarter=3, today=AFTER_Q3)
        if villages == 3:
            DisclosureCheck.objects.exclude(village__in=[q3.v1, q3.v2, q3.v3]).delete()
        actor = actor_for(q3.secretary.user)
        # my pledges, the chain's counts, the last checked quarter, its figures, its first gaps
        with django_assert_num_queries(5):
            [_chain, gaps] = dashboard_duties.panels(actor, q3.secretary.user)
        assert (gaps["figures"]["villages"], gaps["figures"]["missing"]) == (villages, missing)
        assert len(gaps["items"]) == min(10, missing)
