"""Log-ins of cadres: the office creates, resets and ends them for its own township (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from cadres.models import Cadre, InitialPassword, Post
from cadres.roles import SYSTEM, actor_for
from cadres.services import accounts, cadre_save, cadre_transfer
from tests import factories as f
from tests.helpers import api_client

API = "/api/v1"
User = get_user_model()


@pytest.fixture
def newcomer(world) -> Cadre:  # type: ignore[no-untyped-def]
    return f.CadreFactory(township=world.township, name="新干部", unit=world.unit, reports_to=world.unit_head,
                          user=None)


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def _token(username: str, password: str):  # type: ignore[no-untyped-def]
    return api_client().post(f"{API}/auth/token/", {"username": username, "password": password}, format="json")


# --- create ----------------------------------------------------------------------------------------------


def test_office_creates_a_log_in_for_a_cadre_of_its_township(world, newcomer):
    response = api_client(world.office.user).post(f"{API}/cadres/{newcomer.pk}/account/", {"username": "xin"},
                                                  format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "xin"
    password = body["initial_password"]
    assert len(password) == 14
    newcomer.refresh_from_db()
    user = newcomer.user
    assert user is not None and user.username == "xin" and user.check_password(password)
    assert not user.groups.exists() and not user.is_staff
    assert InitialPassword.objects.filter(user=user).exists()
    assert password not in str(list(InitialPassword.objects.values()))
    from portal.models import AuditEvent

    event = AuditEvent.objects.filter(detail__action="account_create").get()
    assert (event.user, event.detail["target"]) == (world.office.user, "xin")
    assert password not in str(event.detail)


def test_another_townships_cadre_is_a_404_and_gets_no_log_in(world):
    cadre = f.CadreFactory(township=world.other_township, name="外镇新人", user=None)
    response = api_client(world.office.user).post(f"{API}/cadres/{cadre.pk}/account/", {"username": "x"},
                                                  format="json")
    assert response.status_code == 404
    cadre.refresh_from_db()
    assert cadre.user_id is None and not User.objects.filter(username="x").exists()


def test_a_cadre_may_not_create_log_ins(world, newcomer):
    response = api_client(world.cadre1.user).post(f"{API}/cadres/{newcomer.pk}/account/", {"username": "x"},
                                                  format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("post", [Post.PARTY_SECRETARY, Post.TOWNSHIP_HEAD, Post.DISCIPLINE_SECRETARY])
def test_office_cannot_give_a_log_in_to_a_leader_or_inspector_post(world, post):
    cadre = f.CadreFactory(township=world.township, name="新领导", post=post, user=None)
    response = api_client(world.office.user).post(f"{API}/cadres/{cadre.pk}/account/", {"username": "boss"},
                                                  format="json")
    assert response.status_code == 403
    assert "超级管理员或县级管理员" in response.json()["detail"]
    assert not User.objects.filter(username="boss").exists()


def test_office_cannot_reset_or_end_a_log_in_holding_the_office_group(world):
    colleague = f.CadreFactory(township=world.township, name="同事", unit=world.office_unit,
                               user__username="office2", user__groups=["office"])
    api = api_client(world.office.user)
    assert api.post(f"{API}/cadres/{colleague.pk}/account/reset/").status_code == 403
    assert api.delete(f"{API}/cadres/{colleague.pk}/account/").status_code == 403
    colleague.user.refresh_from_db()
    assert colleague.user.is_active and colleague.user.check_password(f.PASSWORD)  # unchanged


def test_superuser_gives_a_log_in_to_a_leader(world):
    cadre = f.CadreFactory(township=world.township, name="新领导", post=Post.TOWNSHIP_HEAD, user=None)
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    response = api_client(admin).post(f"{API}/cadres/{cadre.pk}/account/", {"username": "boss"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(("username", "message"), [
    ("cadre1", "已被使用"),
    ("CADRE1", "已被使用"),
    ("有 空格", "只能包含"),
    ("   ", "不能为空"),
])
def test_a_taken_or_invalid_username_is_a_400_in_chinese(world, newcomer, username, message):
    response = api_client(world.office.user).post(f"{API}/cadres/{newcomer.pk}/account/", {"username": username},
                                                  format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    newcomer.refresh_from_db()
    assert newcomer.user_id is None


def test_a_cadre_who_has_a_log_in_gets_a_409(world):
    response = api_client(world.office.user).post(f"{API}/cadres/{world.cadre1.pk}/account/", {"username": "n"},
                                                  format="json")
    assert response.status_code == 409
    assert "已有登录账号" in response.json()["detail"]


# --- reset and end ---------------------------------------------------------------------------------------


def test_reset_gives_a_new_password_and_ends_the_old_token_and_sessions(world):
    user = world.cadre1.user
    user.set_password("old-password-1")
    user.save()
    token = _token("cadre1", "old-password-1").json()["token"]
    browser = _login("cadre1", "old-password-1")
    response = api_client(world.office.user).post(f"{API}/cadres/{world.cadre1.pk}/account/reset/")
    assert response.status_code == 200
    password = response.json()["initial_password"]
    user.refresh_from_db()
    assert user.check_password(password) and not user.check_password("old-password-1")
    assert api_client(token=token).get(f"{API}/me/").status_code == 401
    assert browser.get("/diaries/").status_code == 302  # back to the log-in page


def test_end_ends_sessions_and_tokens_and_unlinks(world):
    user = world.cadre1.user
    user.set_password("old-password-1")
    user.save()
    token = _token("cadre1", "old-password-1").json()["token"]
    _login("cadre1", "old-password-1")
    assert Session.objects.count() == 1
    response = api_client(world.office.user).delete(f"{API}/cadres/{world.cadre1.pk}/account/")
    assert response.status_code == 204
    user.refresh_from_db()
    world.cadre1.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert world.cadre1.user_id is None
    assert Session.objects.count() == 0
    assert api_client(token=token).get(f"{API}/me/").status_code == 401
    assert _token("cadre1", "old-password-1").status_code == 400


def test_end_of_another_townships_log_in_is_a_404(world):
    response = api_client(world.office.user).delete(f"{API}/cadres/{world.outsider.pk}/account/")
    assert response.status_code == 404
    world.outsider.user.refresh_from_db()
    assert world.outsider.user.is_active


def test_office_cannot_end_its_own_log_in(world):
    response = api_client(world.office.user).delete(f"{API}/cadres/{world.office.pk}/account/")
    assert response.status_code == 403
    world.office.user.refresh_from_db()
    assert world.office.user.is_active


# --- forced change at the first log-in --------------------------------------------------------------------


def test_first_log_in_is_sent_to_the_password_change_until_changed(world, newcomer):
    issued = accounts.account_create(actor=actor_for(world.office.user), cadre=newcomer, username="xin")
    browser = _login("xin", issued.initial_password)
    assert browser.get("/").url == "/accounts/password/"
    assert browser.get("/diaries/").url == "/accounts/password/"
    api = browser.get(f"{API}/me/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    refused = _token("xin", issued.initial_password)
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    page = browser.get("/accounts/password/")
    assert "初始密码" in page.content.decode()

    same = browser.post("/accounts/password/", {"old_password": issued.initial_password,
                                                "new_password1": issued.initial_password,
                                                "new_password2": issued.initial_password})
    assert same.status_code == 200 and "新密码不能与当前密码相同" in same.content.decode()
    changed = browser.post("/accounts/password/", {"old_password": issued.initial_password,
                                                   "new_password1": "Mein-eigenes-2026",
                                                   "new_password2": "Mein-eigenes-2026"})
    assert changed.status_code == 302
    assert not InitialPassword.objects.filter(user__username="xin").exists()
    assert browser.get("/").status_code == 200
    assert _token("xin", "Mein-eigenes-2026").status_code == 200


# --- transfers and leaving ---------------------------------------------------------------------------------


def test_a_cadre_who_leaves_loses_the_log_in(world):
    user = world.cadre1.user
    user.set_password("old-password-1")
    user.save()
    token = _token("cadre1", "old-password-1").json()["token"]
    _login("cadre1", "old-password-1")
    cadre_transfer(cadre=world.cadre1, successor=world.cadre2, date=dt.date(2026, 6, 1),
                   actor=actor_for(world.office.user))
    user.refresh_from_db()
    assert not user.is_active
    assert Session.objects.count() == 0
    assert api_client(token=token).get(f"{API}/me/").status_code == 401


def test_a_transfer_within_the_township_keeps_the_log_in_and_ends_its_sessions(world):
    user = world.cadre1.user
    user.set_password("old-password-1")
    user.save()
    _login("cadre1", "old-password-1")
    cadre_transfer(cadre=world.cadre1, successor=world.cadre2, date=dt.date(2026, 6, 1), to_post=Post.STAFF,
                   to_unit=world.unit2, actor=actor_for(world.office.user))
    user.refresh_from_db()
    assert user.is_active and Session.objects.count() == 0
    actor = actor_for(User.objects.get(pk=user.pk))
    assert actor.cadre is not None and actor.cadre.unit_id == world.unit2.pk


def test_a_move_to_another_township_moves_the_log_in_and_the_scope(world):
    user = world.cadre3.user
    user.set_password("old-password-1")
    user.save()
    _login("cadre3", "old-password-1")
    cadre = world.cadre3
    unit = f.UnitFactory(township=world.other_township, name="西山农业站", kind="station")
    cadre.township, cadre.unit, cadre.reports_to = world.other_township, unit, None
    cadre_save(cadre=cadre, actor=SYSTEM)  # a move between townships is the county's (or a superuser's)
    assert Session.objects.count() == 0
    actor = actor_for(User.objects.get(pk=user.pk))
    assert actor.township_ids == frozenset({world.other_township.pk})


def test_deactivating_a_cadre_ends_the_log_in(world):
    cadre = world.cadre3
    user = cadre.user
    cadre.is_active = False
    cadre_save(cadre=cadre, actor=actor_for(world.office.user))
    user.refresh_from_db()
    assert not user.is_active
    assert actor_for(User.objects.get(pk=user.pk)).is_nobody
