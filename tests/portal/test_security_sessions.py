"""Sessions: idle and absolute limits, a new key at log-in, and ending everything on deactivation."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.sessions.models import Session
from django.test import Client

from cadres.roles import actor_for
from core.errors import DomainError, NotAllowed
from portal.middleware import _SEEN, _STARTED
from portal.models import AccessToken, AuditEvent
from portal.security import user_deactivate
from tests.helpers import api_client
from tests.portal.conftest import PASSWORD


def _set_clock(client, **values: int) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def _token(username: str) -> str:
    response = api_client().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()["token"]


def test_session_limits_default_to_30_minutes_idle_and_12_hours_absolute(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600


def test_log_in_starts_both_session_clocks(client, user):
    before = int(time.time())
    client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD})

    assert before <= client.session[_STARTED] <= int(time.time())
    assert client.session[_SEEN] == client.session[_STARTED]


def test_idle_session_ends_after_30_minutes(client, user):
    client.force_login(user)
    _set_clock(client, **{_SEEN: int(time.time()) - 31 * 60})

    response = client.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_session_idle_for_29_minutes_lives_on(client, user):
    client.force_login(user)
    _set_clock(client, **{_SEEN: int(time.time()) - 29 * 60})

    assert client.get("/").status_code == 200
    assert client.session[_SEEN] >= int(time.time()) - 5  # the idle clock restarted


def test_busy_session_still_ends_after_12_hours(client, user):
    client.force_login(user)
    now = int(time.time())
    _set_clock(client, **{_STARTED: now - 12 * 3600 - 60, _SEEN: now - 10})

    response = client.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_session_just_under_12_hours_lives_on(client, user):
    client.force_login(user)
    now = int(time.time())
    _set_clock(client, **{_STARTED: now - 12 * 3600 + 120, _SEEN: now - 10})

    assert client.get("/").status_code == 200


def test_limits_are_configurable(client, user, settings):
    settings.SESSION_IDLE_TIMEOUT = 120
    client.force_login(user)
    _set_clock(client, **{_SEEN: int(time.time()) - 180})

    assert client.get("/").status_code == 302


def test_log_in_gets_a_new_session_key(client, user):
    session = client.session
    session["before_login"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    old_key = session.session_key

    client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD})

    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.get(session_key=new_key).get_decoded()["_auth_user_id"] == str(user.pk)


def test_session_cookie_is_http_only_and_same_site(client, user):
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- deactivation ends everything ----------------------------------------------------------------


def test_deactivating_a_user_ends_every_session_and_token(user, chief):
    phone, laptop, bystander = Client(), Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    bystander.force_login(chief)
    tokens = [_token("zhangsan"), _token("zhangsan")]
    chief_token = _token("chief")
    assert Session.objects.count() == 3

    user_deactivate(user=user, actor=actor_for(chief))

    user.refresh_from_db()
    assert user.is_active is False
    assert Session.objects.count() == 1
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert bystander.get("/").status_code == 200
    assert AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    for raw in tokens:
        api = api_client(token=raw)
        assert api.get("/api/v1/me/").status_code == 401
    api = api_client(token=chief_token)
    assert api.get("/api/v1/me/").status_code == 200
    event = AuditEvent.objects.get(kind="admin_action", detail__action="user_deactivate")
    assert event.username == "chief"
    assert event.detail["target"] == "zhangsan"
    assert event.detail["sessions_ended"] == 2 and event.detail["tokens_revoked"] == 2


def test_a_deactivated_user_cannot_log_in_again(client, user, chief):
    user_deactivate(user=user, actor=actor_for(chief))

    response = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_only_someone_allowed_to_change_users_may_deactivate(user, db):
    other = User.objects.create_user("lisi", password=PASSWORD)
    client = Client()
    client.force_login(user)

    with pytest.raises(NotAllowed):
        user_deactivate(user=user, actor=actor_for(other))

    user.refresh_from_db()
    assert user.is_active is True
    assert Session.objects.count() == 1
    assert not AuditEvent.objects.filter(kind="admin_action").exists()


def test_a_user_with_the_change_permission_may_deactivate(user, db):
    manager = User.objects.create_user("manager", password=PASSWORD)
    manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    manager = User.objects.get(pk=manager.pk)

    user_deactivate(user=user, actor=actor_for(manager))

    user.refresh_from_db()
    assert user.is_active is False


def test_nobody_deactivates_themselves(chief):
    with pytest.raises(DomainError, match="不能停用自己的账号"):
        user_deactivate(user=chief, actor=actor_for(chief))

    chief.refresh_from_db()
    assert chief.is_active is True


def test_user_admin_action_deactivates_and_ends_sessions(client, user, chief):
    victim = Client()
    victim.force_login(user)
    _token("zhangsan")
    client.force_login(chief)

    response = client.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [user.pk]})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert victim.get("/").status_code == 302
    assert AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0


def test_unticking_active_in_the_user_admin_ends_sessions_too(client, user, chief):
    victim = Client()
    victim.force_login(user)
    client.force_login(chief)
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and key != "password"}
    data.update({"username": "zhangsan", "is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
                 "groups": [], "user_permissions": []})

    response = client.post(f"/admin/auth/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user.refresh_from_db()
    assert user.is_active is False
    assert victim.get("/").status_code == 302
