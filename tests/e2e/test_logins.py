"""The office creates a log-in on a phone; the new user must change the password at first log-in."""

from __future__ import annotations

import datetime as dt

import pytest

from cadres.models import Training, TrainingAttendance
from tests import factories as f
from tests.e2e.conftest import PHONE, describe_violations, goto, has_horizontal_scroll, login, run_axe, submit, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}


def test_office_creates_a_log_in_and_the_new_user_changes_the_password_first(world, new_page):
    # given a new cadre of the office's township without a log-in
    f.CadreFactory(township=world.township, name="新干部", unit=world.unit, reports_to=world.unit_head, user=None)
    office = new_page(PHONE_360)
    login(office, "office")

    # when the office opens a log-in for the cadre from the log-ins page
    goto(office, "/cadres/logins/")
    assert not has_horizontal_scroll(office)
    row = office.locator("li.login-row").filter(has_text="新干部")
    row.locator("input[name=username]").fill("xin")
    with office.expect_navigation():
        row.get_by_role("button", name="开通账号").tap()
    password = office.locator("[data-issued-password]").inner_text().strip()
    assert office.locator("[data-issued-username]").inner_text() == "xin"
    assert not has_horizontal_scroll(office)

    # then the new user is sent to the password change at the first log-in, and nowhere else
    user = new_page(PHONE_360)
    user.goto("/accounts/login/")
    user.get_by_label("用户名").fill("xin")
    user.get_by_label("密码").fill(password)
    user.get_by_label("密码").press("Enter")
    wait_for_path(user, "/accounts/password/")
    assert "初始密码" in user.content()
    goto(user, "/diaries/")
    wait_for_path(user, "/accounts/password/")
    assert not has_horizontal_scroll(user)

    user.locator("input[name=old_password]").fill(password)
    user.locator("input[name=new_password1]").fill("Xin-de-mima-2026")
    user.locator("input[name=new_password2]").fill("Xin-de-mima-2026")
    submit(user, "保存新密码")
    goto(user, "/diaries/")
    wait_for_path(user, "/diaries/")

    # and the new password is the one that works from now on
    again = new_page(PHONE_360)
    login(again, "xin", "Xin-de-mima-2026")
    wait_for_path(again, "/")


def test_office_pages_for_log_ins_and_attendance_fit_360_px_and_pass_axe(world, new_page):
    # given a training of the township, and the office on a 360-px phone
    training = Training.objects.create(township=world.township, title="作风建设专题学习",
                                       date=dt.date(2026, 11, 20), hours=2)
    page = new_page(PHONE_360, bypass_csp=True)  # axe is injected inline
    login(page, "office")

    # when the office ticks two names on the attendance page
    goto(page, f"/trainings/{training.pk}/attendance/")
    assert not has_horizontal_scroll(page)
    page.get_by_label("干部甲").check()
    page.get_by_label("干部乙").check()
    submit(page, "保存出勤")

    # then both are recorded present, and the pages fit the screen with no serious axe finding
    assert set(TrainingAttendance.objects.filter(training=training, present=True).values_list(
        "cadre__name", flat=True)) == {"干部甲", "干部乙"}
    problems = {}
    for path in ("/cadres/logins/", "/trainings/", f"/trainings/{training.pk}/attendance/"):
        goto(page, path)
        assert not has_horizontal_scroll(page), path
        found = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
        if found:
            problems[path] = describe_violations(found)
    assert problems == {}
