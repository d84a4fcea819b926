"""Log-in hardening: lockout on every door, unlocking, password rules and the second factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from tests.helpers import api_client
from tests.portal.conftest import PASSWORD

WRONG = "wrong-password-1"


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("chief", password=PASSWORD)


def _page_login(client, username: str, password: str, **extra):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _admin_login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def _token_login(username: str, password: str, **extra):  # type: ignore[no-untyped-def]
    return api_client().post("/api/v1/auth/token/", {"username": username, "password": password, **extra},
                            format="json")


def _code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


# --- lockout --------------------------------------------------------------------------------------


def test_login_page_locks_after_five_failures_with_a_chinese_429_page(client, user):
    answers = [_page_login(client, "zhangsan", WRONG).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 200, 429]
    locked = _page_login(client, "zhangsan", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "账号已暂时锁定" in page and "15分钟" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="lockout", username="zhangsan").count() == 1
    assert AuditEvent.objects.filter(kind="login", username="zhangsan").count() == 0


def test_admin_login_locks_alike(client, staff):
    answers = [_admin_login(client, "chief", WRONG).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 200, 429]
    locked = _admin_login(client, "chief", PASSWORD)
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert AuditEvent.objects.filter(kind="lockout", username="chief").count() == 1


def test_token_endpoint_locks_alike_with_a_json_429(user):
    answers = [_token_login("zhangsan", WRONG).status_code for _ in range(5)]

    assert answers == [400, 400, 400, 400, 429]
    locked = _token_login("zhangsan", PASSWORD)
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    body = locked.json()
    assert body["code"] == "locked_out" and "锁定" in body["detail"] and body["errors"] == {}
    assert AuditEvent.objects.filter(kind="token_issued", username="zhangsan").count() == 0
    assert AuditEvent.objects.filter(kind="lockout", username="zhangsan").count() == 1


def test_failures_on_different_doors_add_up(client, user):
    _page_login(client, "zhangsan", WRONG)
    _page_login(client, "zhangsan", WRONG)
    _admin_login(client, "zhangsan", WRONG)
    _token_login("zhangsan", WRONG)

    assert _token_login("zhangsan", WRONG).status_code == 429
    assert _page_login(client, "zhangsan", PASSWORD).status_code == 429


def test_lockout_is_per_username_and_address(client, user):
    for _ in range(5):
        _page_login(client, "zhangsan", WRONG)

    from_elsewhere = _page_login(client, "zhangsan", PASSWORD, REMOTE_ADDR="10.0.0.8")

    assert from_elsewhere.status_code == 302
    assert from_elsewhere["Location"] == "/"


def test_every_failure_and_success_is_audited(client, user):
    _page_login(client, "zhangsan", WRONG)
    _page_login(client, "zhangsan", PASSWORD)

    kinds = list(AuditEvent.objects.filter(username="zhangsan").order_by("id").values_list("kind", "ip_address"))
    assert kinds == [("login_failed", "127.0.0.1"), ("login", "127.0.0.1")]


def test_unlock_user_command_lifts_the_lockout_and_is_audited(client, user, capsys):
    for _ in range(5):
        _page_login(client, "zhangsan", WRONG)
    assert _page_login(client, "zhangsan", PASSWORD).status_code == 429

    call_command("unlock_user", "zhangsan")

    assert "已解除 zhangsan 的登录锁定" in capsys.readouterr().out
    assert AccessAttempt.objects.filter(username="zhangsan").count() == 0
    event = AuditEvent.objects.get(kind="unlock")
    assert event.username == "zhangsan" and event.detail["attempts_cleared"] == 1
    response = _page_login(client, "zhangsan", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_unlock_user_for_a_user_without_failures_says_so(user, capsys):
    call_command("unlock_user", "zhangsan")

    assert "没有登录失败记录" in capsys.readouterr().out


def test_lockout_ends_by_itself_after_the_cool_off(client, user):
    for _ in range(5):
        _page_login(client, "zhangsan", WRONG)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = _page_login(client, "zhangsan", PASSWORD)

    assert response.status_code == 302


# --- passwords ------------------------------------------------------------------------------------


def test_base_settings_hash_with_argon2_first():
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks_a_password(settings, db):
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$")
    assert check_password(PASSWORD, encoded)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1a", "密码太短：至少需要 10 个字符"),  # 8 characters
        ("qwertyuiop", "太常见"),  # 10 characters, but on the common-passwords list
        ("4839201756", "只包含数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(db, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert any(message in text for text in refused.value.messages)


def test_a_long_uncommon_password_is_accepted(db):
    assert validate_password("Yellow-river-morning-7") is None


def test_password_change_form_refuses_a_common_password(client, user):
    client.force_login(user)

    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "qwertyuiop", "new_password2": "qwertyuiop"})

    assert response.status_code == 200
    assert "太常见" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_old_password_is_not_forced_to_rotate(client, user):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=3 * 365),
                                           last_login=timezone.now() - timedelta(days=400))

    response = _page_login(client, "zhangsan", PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


# --- second factor ----------------------------------------------------------------------------------


def test_admin_without_the_flag_needs_no_second_factor(client, staff, settings):
    settings.ADMIN_REQUIRE_OTP = False
    _admin_login(client, "chief", PASSWORD)

    assert client.get("/admin/").status_code == 200


def test_admin_with_the_flag_demands_enrolment_and_a_valid_code_passes(client, staff, settings):
    settings.ADMIN_REQUIRE_OTP = True
    assert _admin_login(client, "chief", PASSWORD).status_code == 302

    sent = client.get("/admin/")
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/otp/setup/?next=%2Fadmin%2F"
    setup = client.get(sent["Location"])
    assert setup.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in setup.content.decode()
    assert "进入管理后台必须先启用两步验证" in setup.content.decode()

    key = client.session["portal_otp_setup_key"]
    wrong = client.post("/accounts/otp/setup/", {"token": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()

    device = TOTPDevice(user=staff, key=key)
    done = client.post("/accounts/otp/setup/", {"token": _code(device), "next": "/admin/"})

    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(kind="admin_action", username="chief", detail__action="otp_enabled").exists()


def test_admin_with_the_flag_asks_an_enrolled_user_for_a_code(client, staff, settings):
    settings.ADMIN_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    _admin_login(client, "chief", PASSWORD)

    sent = client.get("/admin/portal/auditevent/")
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/otp/?next=%2Fadmin%2Fportal%2Fauditevent%2F"

    wrong = client.post("/accounts/otp/", {"token": "123456", "next": "/admin/"})
    assert wrong.status_code == 200 and "验证码不正确或已过期" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(kind="login_failed", username="chief", detail__factor="otp").count() == 1

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    passed = client.post("/accounts/otp/", {"token": _code(device), "next": "/admin/"})

    assert passed.status_code == 302 and passed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_cannot_be_used_twice(client, staff, settings):
    settings.ADMIN_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    code = _code(device)
    other = Client()
    _admin_login(client, "chief", PASSWORD)
    assert client.post("/accounts/otp/", {"token": code, "next": "/admin/"}).status_code == 302

    other.post("/admin/login/", {"username": "chief", "password": PASSWORD, "next": "/admin/"})
    replay = other.post("/accounts/otp/", {"token": code, "next": "/admin/"})

    assert replay.status_code == 200
    assert other.get("/admin/").status_code == 302


def test_the_second_factor_is_optional_for_other_users(client, user):
    _page_login(client, "zhangsan", PASSWORD)

    assert client.get("/").status_code == 200
    assert client.get("/accounts/otp/setup/").status_code == 200


def test_a_user_who_enrolled_must_give_a_code_at_every_log_in(client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _page_login(client, "zhangsan", PASSWORD)

    sent = client.get("/")
    assert sent.status_code == 302 and sent["Location"] == "/accounts/otp/?next=%2F"
    api_via_session = client.get("/api/v1/me/")
    assert api_via_session.status_code == 403 and api_via_session.json()["code"] == "otp_required"
    assert AuditEvent.objects.filter(kind="permission_denied", path="/api/v1/me/", username="zhangsan").count() == 1

    client.post("/accounts/otp/", {"token": _code(device), "next": "/"})

    assert client.get("/").status_code == 200


def test_token_log_in_asks_an_enrolled_user_for_a_code(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    without = _token_login("zhangsan", PASSWORD)
    assert without.status_code == 400 and without.json()["code"] == "otp_required"
    wrong = _token_login("zhangsan", PASSWORD, otp="000000")
    assert wrong.status_code == 400

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    right = _token_login("zhangsan", PASSWORD, otp=_code(device))

    assert right.status_code == 200 and right.json()["token"]


def test_an_enrolled_user_can_turn_the_second_factor_off_after_verifying(client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _page_login(client, "zhangsan", PASSWORD)
    assert client.get("/accounts/otp/setup/").status_code == 302  # must verify first
    client.post("/accounts/otp/", {"token": _code(device), "next": "/"})

    response = client.post("/accounts/otp/setup/", {"action": "disable"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(kind="admin_action", detail__action="otp_disabled").count() == 1


def test_staff_cannot_turn_the_second_factor_off_when_the_admin_requires_it(client, staff, settings):
    settings.ADMIN_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    _page_login(client, "chief", PASSWORD)
    client.post("/accounts/otp/", {"token": _code(device), "next": "/"})

    response = client.post("/accounts/otp/setup/", {"action": "disable"}, follow=True)

    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_otp_pages_refuse_an_outside_next_address(client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _page_login(client, "zhangsan", PASSWORD)

    response = client.post("/accounts/otp/", {"token": _code(device), "next": "https://evil.example.com/"})

    assert response.status_code == 302 and response["Location"] == "/"
