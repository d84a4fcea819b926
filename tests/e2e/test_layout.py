"""The base layout as people use it: on a 390-px phone, with the keyboard only, under the strict CSP."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import goto, has_horizontal_scroll, login, main_paths, wait_for_path
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Every staff page at 360 px, for a cadre, a leader and the office: tests/e2e/test_phone_width.py.


def test_login_page_fits_a_phone_and_shows_no_navigation(db, page_phone):
    goto(page_phone, "/accounts/login/")

    assert not has_horizontal_scroll(page_phone)
    assert page_phone.locator("#main-nav").count() == 0
    assert page_phone.get_by_role("heading", level=1).inner_text() == "干部作风建设监督平台"


def test_menu_button_opens_and_closes_the_navigation_on_a_phone(world, page_phone):
    login(page_phone, "cadre1")
    toggle = page_phone.get_by_role("button", name="菜单")
    nav = page_phone.get_by_role("navigation", name="主导航")

    # the navigation starts folded away behind the menu button
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="民情日记").is_visible()
    assert not has_horizontal_scroll(page_phone)

    # Escape folds it again and gives focus back to the button
    page_phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert page_phone.evaluate("document.activeElement.hasAttribute('data-nav-toggle')")

    # a section chosen from the menu is marked as the current page
    toggle.tap()
    nav.get_by_role("link", name="问题台账").tap()
    wait_for_path(page_phone, r"/matters/")
    assert page_phone.locator("#main-nav a[aria-current=page]").inner_text() == "问题台账"


def test_desktop_shows_the_navigation_without_a_menu_button(world, page_desktop):
    login(page_desktop, "cadre1")

    assert not page_desktop.get_by_role("button", name="菜单").is_visible()
    nav = page_desktop.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link").all_inner_texts() == [
        "首页", "民情日记", "问题台账", "搜索", "联系户", "责任书", "发展规划", "培训", "公开", "督查", "简报",
    ]
    assert nav.locator("a[aria-current=page]").inner_text() == "首页"


def test_log_in_with_the_keyboard_only(world, page_desktop):
    page = page_desktop
    goto(page, "/accounts/login/")

    # the user name field has the focus on arrival; Tab reaches the password, Enter submits
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("cadre1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    wait_for_path(page, r"/")
    assert page.get_by_role("heading", level=1).inner_text() == "首页"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(world, page_phone):
    login(page_phone, "cadre1")
    goto(page_phone, "/notifications/")

    page_phone.keyboard.press("Tab")
    skip = page_phone.get_by_role("link", name="跳到正文")
    assert page_phone.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # visible once focused

    page_phone.keyboard.press("Enter")
    assert page_phone.evaluate("document.activeElement.id") == "main"
    # the next Tab continues after the content's start, not back in the top bar
    page_phone.keyboard.press("Tab")
    assert page_phone.evaluate("document.querySelector('header').contains(document.activeElement)") is False


def test_a_wrong_password_keeps_the_user_name_and_says_so_in_chinese(world, page_phone):
    goto(page_phone, "/accounts/login/")
    page_phone.get_by_label("用户名").fill("cadre1")
    page_phone.get_by_label("密码").fill("not-the-password")
    page_phone.get_by_role("button", name="登录").tap()

    assert page_phone.get_by_role("alert").inner_text() == "用户名或密码错误，请重试。"
    assert page_phone.get_by_label("用户名").input_value() == "cadre1"
    assert page_phone.get_by_label("密码").input_value() == ""


def test_main_pages_run_under_the_strict_csp_without_script_errors(world, page_desktop):
    # given an office screen, where the pages hold the most controls
    page = page_desktop
    goto(page, "/accounts/login/")
    login(page, "office")

    # when every main page is opened
    for path in main_paths():
        goto(page, path)

    # then the browser refused nothing (no inline script or style) and no script failed
    assert page.problems.csp_refusals == []
    assert page.problems.page_errors == []


def test_date_fields_show_the_dates_the_server_filled_in(world, page_desktop):
    # given the office, who sees the forms with proposed or saved dates (the bulletin compile form
    # proposes last month)
    login(page_desktop, "office")

    # when the main pages and the forms with dates are opened
    rejected = {}
    for path in [*main_paths(), "/disclosures/new/", "/inspections/new/"]:
        goto(page_desktop, path)
        # a date input shows nothing when the server wrote its value in another format than ISO
        lost = page_desktop.evaluate(
            """() => Array.from(document.querySelectorAll("input[type=date]"))
                .filter(el => el.getAttribute("value") && el.value === "")
                .map(el => `${el.name}=${el.getAttribute("value")}`)"""
        )
        if lost:
            rejected[path] = lost

    # then every date the server filled in is shown
    assert rejected == {}
