"""/disclosures/checks/run/: the office (党政办) runs a quarter's disclosure check from its own pages,
without admin access, and follows the job on /jobs/<pk>/. A malformed or unfinished quarter is
refused in Chinese and starts nothing; nobody else may start one, or see the office's job."""

from __future__ import annotations

import pytest

from core.models import JobRun
from supervision.models import DisclosureCheck
from supervision.quarters import current_quarter, last_due_quarter
from tests import factories as f
from tests.helpers import assert_num_queries, page_client

RUN = "/disclosures/checks/run/"


def test_office_without_admin_access_runs_a_quarter_and_sees_the_result(world, django_capture_on_commit_callbacks):
    # given the office, not staff, and the last quarter that fell due
    assert not world.office.user.is_staff
    quarter = last_due_quarter()
    client = page_client(world.office.user)

    # when they open the page, it offers that quarter
    page = client.get(RUN)
    assert page.status_code == 200
    assert f'value="{quarter}"' in page.content.decode()

    # and run it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUN, {"quarter": str(quarter)})

    # then they are sent to the job's page, and the job checked their township's villages only
    job = JobRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")
    assert (job.name, job.status, job.progress, job.started_by, job.params) == (
        "disclosure_check", "succeeded", 100, world.office.user, {"quarter": str(quarter), "township": world.township.pk})
    checks = DisclosureCheck.objects.filter(year=quarter.year, quarter=quarter.quarter)
    assert sorted(checks.values_list("village__name", flat=True)) == ["东河村", "光明路村", "南沟村"]
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and f"{quarter.label} 村务公开检查：1个乡镇、3个村" in page
    assert f'href="/disclosures/checks/?quarter={quarter}"' in page
    assert 'http-equiv="refresh"' not in page


def test_a_queued_check_shows_its_progress_and_refreshes(world, django_capture_on_commit_callbacks):
    client = page_client(world.office.user)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not taken it yet
        response = client.post(RUN, {"quarter": str(last_due_quarter())})

    page = client.get(response["Location"]).content.decode()

    assert "排队中" in page and 'value="0"' in page and "本页每2秒自动刷新。" in page
    assert '<meta http-equiv="refresh" content="2">' in page


@pytest.mark.parametrize(("typed", "message"), [
    ("2026Q7", "季度格式不正确：“2026Q7”。请写成年份加季度，例如 2026Q3（季度为 Q1 至 Q4）。"),
    ("第三季度", "季度格式不正确：“第三季度”。请写成年份加季度，例如 2026Q3（季度为 Q1 至 Q4）。"),
])
def test_a_malformed_quarter_is_refused_in_chinese_and_starts_nothing(world, typed, message,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = page_client(world.office.user).post(RUN, {"quarter": typed})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{typed}"' in page
    assert callbacks == [] and not JobRun.objects.exists() and not DisclosureCheck.objects.exists()


def test_a_quarter_not_yet_ended_is_refused_before_any_job(world, django_capture_on_commit_callbacks):
    quarter = current_quarter()
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(world.office.user).post(RUN, {"quarter": str(quarter)})

    assert response.status_code == 400
    assert f"{quarter.label} 尚未结束，季度结束后才能检查。" in response.content.decode()
    assert not JobRun.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "inspector", "cadre1", "village1", "reporter", "outsider"])
def test_only_the_office_may_run_a_check(world, who, django_capture_on_commit_callbacks):
    client = page_client(world.users[who])

    assert client.get(RUN).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(RUN, {"quarter": str(last_due_quarter())}).status_code == 404

    assert not JobRun.objects.exists() and not DisclosureCheck.objects.exists()
    assert RUN not in client.get("/disclosures/").content.decode()


def test_the_disclosures_page_links_the_office_to_the_staff_page_not_the_admin(world):
    page = page_client(world.office.user).get("/disclosures/").content.decode()

    assert f'href="{RUN}"' in page
    assert "/admin/supervision/disclosurecheck/run/" not in page


def test_an_office_log_in_without_a_township_may_not_run_every_townships_check(world):
    # an office group member with neither a cadre record nor a membership belongs to no township
    user = f.UserFactory(username="lost-office", groups=["office"])

    assert page_client(user).get(RUN).status_code == 404
    assert RUN not in page_client(user).get("/disclosures/").content.decode()
    # nor through the admin, where its township would be "none", i.e. all of them
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    response = page_client(user).post("/admin/supervision/disclosurecheck/run/", {"quarter": str(last_due_quarter())})
    assert response.status_code in (200, 403)
    assert not JobRun.objects.exists() and not DisclosureCheck.objects.exists()


def test_another_user_cannot_see_the_offices_check_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page_client(world.office.user).post(RUN, {"quarter": str(last_due_quarter())})
    job = JobRun.objects.get()
    other_office = f.CadreFactory(township=world.other_township, user__groups=["office"])

    for user in (other_office.user, world.secretary.user, world.cadre1.user):
        assert page_client(user).get(f"/jobs/{job.pk}/").status_code == 404


def test_the_admin_still_runs_a_quarter(world, django_capture_on_commit_callbacks):
    world.office.user.is_staff = True
    world.office.user.save(update_fields=["is_staff"])
    quarter = last_due_quarter()
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(world.office.user).post("/admin/supervision/disclosurecheck/run/",
                                                      {"quarter": str(quarter)})

    job = JobRun.objects.get()
    assert response["Location"].endswith(f"/admin/supervision/disclosurecheck/run/?job={job.pk}")
    assert (job.status, job.params) == ("succeeded", {"quarter": str(quarter), "township": world.township.pk})


def test_the_page_costs_a_fixed_number_of_queries(world):
    client = page_client(world.office.user)
    client.get(RUN)
    # session, user, actor (groups, cadre, units); the layout's unread count (the name comes with the actor's cadre)
    with assert_num_queries(6):
        assert client.get(RUN).status_code == 200
