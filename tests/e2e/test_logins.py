"""The office creates a log-in on a phone; the new user must change the password at first log-in."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.e2e.conftest import PHONE, goto, has_horizontal_scroll, login, submit, wait_for_path

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
