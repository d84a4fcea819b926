"""axe-core (vendored, static/vendor/axe-core) scans the main pages: no serious or critical violation.

axe is injected inline from the vendored file, so these contexts bypass the page's CSP; the CSP
itself is checked by test_layout.py. Moderate and minor findings are reported by axe too but do
not fail the run: the bar is the one the issue sets (serious and critical).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    describe_violations,
    goto,
    login,
    main_paths,
    open_menu_if_collapsed,
    run_axe,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def scan(page, path: str, *, open_menu: bool = False) -> dict[str, str]:
    goto(page, path)
    if open_menu:
        open_menu_if_collapsed(page)
    found = blocking(run_axe(page))
    return {path: describe_violations(found)} if found else {}


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_login_page_has_no_serious_accessibility_violations(db, new_page, device):
    page = new_page(device, bypass_csp=True)
    problems = scan(page, "/accounts/login/")

    # the page sent back after a failed log-in, with its error, too
    page.get_by_label("用户名").fill("nobody")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("alert").wait_for()
    found = blocking(run_axe(page))
    if found:
        problems["/accounts/login/ (after a failed log-in)"] = describe_violations(found)

    assert problems == {}


@pytest.mark.parametrize(
    ("username", "device"),
    [("cadre1", PHONE), ("office", DESKTOP), ("secretary", PHONE)],
    ids=["cadre1-phone", "office-desktop", "secretary-phone"],
)
def test_main_pages_have_no_serious_accessibility_violations(world, new_page, username, device):
    # given a signed-in user on their usual screen
    page = new_page(device, bypass_csp=True)
    login(page, username)

    # when axe scans every main page (on a phone with the menu open, so its links are scanned too)
    problems: dict[str, str] = {}
    for path in main_paths():
        problems |= scan(page, path, open_menu=True)

    # then none has a serious or critical violation
    assert problems == {}


def test_a_form_with_errors_has_no_serious_accessibility_violations(world, new_page):
    # given the password form sent back with errors on every field
    page = new_page(PHONE, bypass_csp=True)
    login(page, "cadre1")
    goto(page, "/accounts/password/")
    page.locator("#id_old_password").fill("wrong-old-password")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("different")
    page.get_by_role("button", name="保存新密码").click()
    page.locator(".error").first.wait_for()

    # then the errors are announced and tied to their fields without violations
    assert blocking(run_axe(page)) == []
    assert page.locator("#id_old_password").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_new_password2").get_attribute("aria-invalid") == "true"
    # and a field's help text and errors are tied to it, so a screen reader reads them with the field
    described_by = page.locator("#id_new_password2").get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{ref}").inner_text(timeout=1000) for ref in described_by]
    assert texts[0] == "为了校验，请输入与上面相同的密码。"
    assert texts[1] == "输入的两个密码不一致。"


def test_the_offices_job_pages_have_no_serious_accessibility_violations(world, new_page):
    # given the office on a phone, and a finished quarterly check to look at
    from core.models import JobRun

    page = new_page(PHONE, bypass_csp=True)
    login(page, "office")
    job = JobRun.objects.create(name="disclosure_check", started_by=world.office.user, status="succeeded",
                                progress=100, message="检查完成。",
                                params={"quarter": "2026Q3", "township": world.township.pk})

    # when axe scans the import pages, the check page, the job page and the tree
    problems: dict[str, str] = {}
    for path in ("/households/import/", "/cadres/import/", "/disclosures/checks/run/", f"/jobs/{job.pk}/",
                 "/cadres/tree/"):
        problems |= scan(page, path, open_menu=True)

    # then none has a serious or critical violation
    assert problems == {}
