"""The portal's own flows in a browser: log-in and out, language, notifications, password."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from core.models import Notification
from core.notifications import CoreKind
from supervision.notifications import NotificationKind
from tests.e2e.conftest import DESKTOP, PHONE, goto, login, open_menu_if_collapsed, query_of, wait_for_path
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEVICES = pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])


def switch_language(page, name: str, button: str) -> None:
    page.locator("#language-select").select_option(label=name)
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


@DEVICES
def test_log_in_switch_to_english_and_back(world, new_page, device):
    page = new_page(device)

    # given cadre1 logs in and lands on the Chinese dashboard
    login(page, "cadre1")
    assert page.get_by_role("heading", level=1).inner_text() == "首页"
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # when the footer's switcher is set to English
    switch_language(page, "English", "切换")

    # then the same page speaks English, navigation included
    wait_for_path(page, r"/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home"
    assert page.locator("html").get_attribute("lang") == "en"
    open_menu_if_collapsed(page)
    assert page.get_by_role("navigation").get_by_role("link", name="Home").is_visible()

    # and the choice holds on the next page
    goto(page, "/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"

    # when switched back to Chinese, the page is Chinese again
    switch_language(page, "简体中文", "Switch")
    wait_for_path(page, r"/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "通知"
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_a_bookmarked_page_asks_for_log_in_and_then_opens(world, page_phone):
    # given a cadre who is not logged in opens a bookmarked section
    goto(page_phone, "/matters/")
    wait_for_path(page_phone, r"/accounts/login/")
    assert query_of(page_phone) == "next=/matters/"

    # when they log in
    page_phone.get_by_label("用户名").fill("cadre1")
    page_phone.get_by_label("密码").fill(PASSWORD)
    page_phone.get_by_role("button", name="登录").tap()

    # then the bookmarked page opens
    wait_for_path(page_phone, r"/matters/")
    assert page_phone.get_by_role("heading", level=1).inner_text() == "问题台账"


def test_log_out_ends_the_session(world, page_phone):
    page = page_phone
    login(page, "cadre1")

    page.get_by_role("button", name="退出").click()

    wait_for_path(page, r"/accounts/login/")
    goto(page, "/")
    wait_for_path(page, r"/accounts/login/")
    assert query_of(page) == "next=/"


def unread_badge(page):
    return page.locator(".usermenu .badge")


@DEVICES
def test_notification_inbox_shows_unread_count_and_clears_it(world, new_page, device):
    # given two unread notifications for cadre1 and a read one
    user = world.cadre1.user
    Notification.objects.create(recipient=user, kind=NotificationKind.DIARY_COMMENTED, title="您的日记有新批示",
                                body="书记批示：情况属实，请跟进。", url="/diaries/")
    Notification.objects.create(recipient=user, kind=CoreKind.GENERAL, title="本周例会改到周四")
    from django.utils import timezone

    Notification.objects.create(recipient=user, kind=CoreKind.GENERAL, title="已读的通知",
                                read_at=timezone.now())
    page = new_page(device)

    # when cadre1 logs in, the top bar shows 2 unread, for eyes and for screen readers
    login(page, "cadre1")
    assert unread_badge(page).inner_text() == "2"
    assert page.get_by_role("link", name="通知 2 条未读").is_visible()

    # and the inbox lists all three, newest first, the unread ones marked
    page.get_by_role("link", name="通知 2 条未读").click()
    wait_for_path(page, r"/notifications/")
    items = page.locator("ul.list > li")
    assert items.locator("strong").all_inner_texts() == ["已读的通知", "本周例会改到周四", "您的日记有新批示"]
    assert page.locator("ul.list > li.unread strong").all_inner_texts() == ["本周例会改到周四", "您的日记有新批示"]

    # when the commented-diary notification is opened, it leads to its page and counts as read
    items.filter(has_text="您的日记有新批示").get_by_role("link", name="查看").click()
    wait_for_path(page, r"/diaries/")
    assert unread_badge(page).inner_text() == "1"

    # when the rest are marked read, the badge is gone
    goto(page, "/notifications/")
    with page.expect_navigation():
        page.get_by_role("button", name="全部标为已读").click()
    wait_for_path(page, r"/notifications/")
    assert unread_badge(page).count() == 0
    assert page.locator("ul.list > li.unread").count() == 0
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0


def test_notifications_of_others_stay_private(world, page_phone):
    # given a notification for cadre2
    other = Notification.objects.create(recipient=world.cadre2.user, kind=CoreKind.GENERAL,
                                        title="乙的通知", url="/matters/")

    # when cadre1 logs in and tries to open it by its address
    login(page_phone, "cadre1")
    assert unread_badge(page_phone).count() == 0
    response = goto(page_phone, f"/notifications/{other.pk}/")

    # then it does not exist for them, and it stays unread for its owner
    assert response.status == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_change_password_then_log_in_with_the_new_one(world, page_phone):
    new_password = "Zuofeng-new-2026!"
    login(page_phone, "cadre1")
    page_phone.get_by_role("link", name="修改密码").tap()
    wait_for_path(page_phone, r"/accounts/password/")

    # a too-short new password is refused in Chinese, nothing changes
    page_phone.locator("#id_old_password").fill(PASSWORD)
    page_phone.locator("#id_new_password1").fill("short")
    page_phone.locator("#id_new_password2").fill("short")
    page_phone.get_by_role("button", name="保存新密码").tap()
    assert "密码太短" in page_phone.locator(".field.has-error .error").first.inner_text()
    assert User.objects.get(username="cadre1").check_password(PASSWORD)

    # a good one is saved
    page_phone.locator("#id_old_password").fill(PASSWORD)
    page_phone.locator("#id_new_password1").fill(new_password)
    page_phone.locator("#id_new_password2").fill(new_password)
    page_phone.get_by_role("button", name="保存新密码").tap()
    wait_for_path(page_phone, r"/accounts/password/done/")
    assert page_phone.get_by_role("heading", level=1).inner_text() == "密码已修改"

    # after logging out, the old password no longer works and the new one does
    page_phone.get_by_role("button", name="退出").tap()
    wait_for_path(page_phone, r"/accounts/login/")
    page_phone.get_by_label("用户名").fill("cadre1")
    page_phone.get_by_label("密码").fill(PASSWORD)
    page_phone.get_by_role("button", name="登录").tap()
    assert page_phone.get_by_role("alert").inner_text() == "用户名或密码错误，请重试。"
    login(page_phone, "cadre1", new_password)
    assert page_phone.get_by_role("heading", level=1).inner_text() == "首页"
