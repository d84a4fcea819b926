"""Leader and inspector posts, and the role groups, are granted by superusers and the county only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.test import APIClient

from cadres.models import Cadre, Post
from tests import factories as f

API = "/api/v1"
REFUSAL = "带有镇领导或纪委的权限，只能由超级管理员或县级管理员授予。"


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_login(user)
    return api


@pytest.fixture
def office(world) -> Client:  # type: ignore[no-untyped-def]
    user = world.office.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("body", [
    {"post": Post.PARTY_SECRETARY},
    {"post": Post.DISCIPLINE_SECRETARY},
    {"extra_posts": [Post.TOWNSHIP_HEAD]},
    {"extra_posts": [Post.DISCIPLINE_SECRETARY]},
])
def test_the_office_cannot_grant_itself_a_leader_or_inspector_post_through_the_api(world, body):
    response = api_for(world.office.user).patch(f"{API}/cadres/{world.office.pk}/", body, format="json")

    world.office.refresh_from_db()
    assert response.status_code == 400
    assert REFUSAL in response.json()["detail"]
    assert (world.office.post, world.office.extra_posts) == (Post.STAFF, [])


def test_a_superuser_grants_a_leader_post_through_the_api(world):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)

    response = api_for(root).patch(f"{API}/cadres/{world.cadre3.pk}/", {"extra_posts": [Post.DISCIPLINE_SECRETARY]},
                                   format="json")

    world.cadre3.refresh_from_db()
    assert response.status_code == 200
    assert world.cadre3.extra_posts == [Post.DISCIPLINE_SECRETARY]


def test_the_office_still_edits_a_leader_it_did_not_promote(world):
    response = api_for(world.office.user).patch(f"{API}/cadres/{world.deputy.pk}/", {"phone": "13100000000"},
                                                format="json")

    assert response.status_code == 200


def _cadre_form(client: Client, cadre: Cadre) -> dict:  # type: ignore[type-arg]
    from tests.portal.test_admin_scope import form_data

    return form_data(client.get(f"/admin/cadres/cadre/{cadre.pk}/change/").context["adminform"].form)


def _management() -> dict[str, str]:
    data = {}
    for prefix in ("assignments", "contacts"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_admin_cadre_form_refuses_the_office_a_leader_post(world, office):
    data = {**_cadre_form(office, world.cadre3), **_management(), "extra_posts": [Post.TOWNSHIP_HEAD]}

    response = office.post(f"/admin/cadres/cadre/{world.cadre3.pk}/change/", data)

    world.cadre3.refresh_from_db()
    assert response.status_code == 200
    assert REFUSAL in str(response.context["adminform"].form.errors["extra_posts"])
    assert world.cadre3.extra_posts == []


def test_the_admin_cadre_form_refuses_the_office_a_log_in_for_the_secretary(world, office):
    free = f.UserFactory(username="free")
    world.secretary.user = None
    world.secretary.save()
    data = {**_cadre_form(office, world.secretary), **_management(), "user": str(free.pk)}

    response = office.post(f"/admin/cadres/cadre/{world.secretary.pk}/change/", data)

    world.secretary.refresh_from_db()
    assert "user" in response.context["adminform"].form.errors
    assert world.secretary.user_id is None


def test_the_transfer_action_refuses_the_office_a_leader_post(world, office):
    data = {"action": "transfer", "_selected_action": [world.cadre3.pk], "apply": "1",
            "successor": world.cadre2.pk, "date": "2026-06-01", "to_post": Post.PARTY_SECRETARY}

    response = office.post("/admin/cadres/cadre/", data)

    world.cadre3.refresh_from_db()
    assert "to_post" in response.context["form"].errors
    assert world.cadre3.post == Post.STAFF


@pytest.fixture
def office_with_user_perms(world) -> Client:  # type: ignore[no-untyped-def]
    user = world.office.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("group", ["office", "inspector", "leader", "county"])
def test_the_user_form_refuses_the_office_a_role_group(world, office_with_user_perms, group):
    from tests.portal.test_admin_scope import form_data

    target = world.cadre3.user
    url = f"/admin/auth/user/{target.pk}/change/"
    form = office_with_user_perms.get(url).context["adminform"].form
    data = form_data(form, groups=[str(Group.objects.get(name=group).pk)])
    data.pop("password", None)

    response = office_with_user_perms.post(url, data)

    assert "groups" in response.context["adminform"].form.errors
    assert list(target.groups.values_list("name", flat=True)) == []


def test_the_user_form_shows_the_office_staff_flags_read_only(world, office_with_user_perms):
    from tests.portal.test_admin_scope import form_data

    target = world.cadre3.user
    url = f"/admin/auth/user/{target.pk}/change/"
    form = office_with_user_perms.get(url).context["adminform"].form
    data = form_data(form, is_staff="on", is_superuser="on")
    data.pop("password", None)

    office_with_user_perms.post(url, data)

    target.refresh_from_db()
    assert {"is_staff", "is_superuser", "user_permissions"} & set(form.fields) == set()
    assert (target.is_staff, target.is_superuser) == (False, False)
