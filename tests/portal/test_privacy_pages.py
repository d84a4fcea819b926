"""Names and phones of households reach only those allowed to read them (docs/design.md §2.6, §4):
a refused diary names no household, the reporter reads masked names on the pages as in the API,
and a phone is shown in full only to those who handle the household."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cadres.models import HouseholdContact
from supervision.models import Diary
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# --- 4. a refused diary names nobody ---------------------------------------------------------------


def test_a_diary_listing_households_from_elsewhere_is_refused_by_id_only(world):
    # given ids of a household of another township, of another village and an unknown id
    ids = [world.h1.pk, world.h_other.pk, world.h2.pk, 999999]

    response = api_for(world.cadre1.user).post(f"{API}/diaries/", {
        "village": world.v1.pk, "households": ids, "situation": "走访"}, format="json")

    # then all three are refused alike, by id, and no name is in the answer
    assert response.status_code == 400
    assert response.json()["errors"]["households"] == [
        f"以下农户不存在或不属于所选村：{world.h_other.pk}、{world.h2.pk}、999999。"]
    text = response.content.decode()
    assert "钱六" not in text and "李四" not in text and "张三" not in text
    assert not Diary.objects.exists()


def test_an_update_listing_a_household_from_elsewhere_is_refused_by_id_only(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1)
    response = api_for(world.cadre1.user).patch(f"{API}/diaries/{diary.pk}/", {
        "households": [world.h_other.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["households"] == [f"以下农户不存在或不属于所选村：{world.h_other.pk}。"]
    assert "钱六" not in response.content.decode()


# --- 5. the reporter reads masked names on the pages -----------------------------------------------------


@pytest.fixture
def visited(world):
    world.diary = f.DiaryFactory(author=world.cadre1, village=world.v1, situation="走访张三家")
    world.diary.households.set([world.h1])
    world.matter = f.MatterFactory(village=world.v1, household=world.h1, description="屋顶漏雨")
    return world


def test_the_reporter_reads_masked_household_names_on_the_pages(visited):
    reporter = page_for(visited.reporter_user)
    for path in (f"/diaries/{visited.diary.pk}/", f"/matters/{visited.matter.pk}/"):
        page = reporter.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert "张*" in html and "张三" not in html.replace("走访张三家", "")


def test_staff_who_read_the_diary_and_matter_read_the_full_name(visited):
    for who in ("cadre1", "secretary"):
        client = page_for(visited.users[who])
        assert "张三" in client.get(f"/matters/{visited.matter.pk}/").content.decode()
        html = client.get(f"/diaries/{visited.diary.pk}/").content.decode()
        assert "<strong>走访农户：</strong>张三</p>" in html


# --- 6. phones only for those who handle the household ------------------------------------------------------


@pytest.fixture
def neighbours(world):
    """A second household of 东河村 (cadre1's assigned village) that cadre1 does not contact;
    cadre3 contacts it."""
    world.h_near = f.HouseholdFactory(village=world.v1, head_name="孙七", phone="13600002222")
    f.ContactFactory(cadre=world.cadre3, household=world.h_near)
    return world


def phones(user):  # type: ignore[no-untyped-def]
    return {row["id"]: row["phone"] for row in api_for(user).get(f"{API}/households/").json()["results"]}


def test_a_cadre_reads_the_phone_of_their_contact_household_only(neighbours):
    w = neighbours
    rows = phones(w.cadre1.user)
    assert (rows[w.h1.pk], rows[w.h_near.pk]) == ("13812345678", "136****2222")
    # the page lists their contact households, with the phone in full; the neighbour's is not there
    html = page_for(w.cadre1.user).get("/households/").content.decode()
    assert "tel:13812345678" in html and "13600002222" not in html and "136****2222" not in html


@pytest.mark.parametrize(("who", "near"), [
    ("village1", "13600002222"),   # 东河村's own village cadre
    ("deputy", "13600002222"),     # 东河村's leading cadre (包村领导)
    ("office", "13600002222"),
    ("cadre3", "13600002222"),     # contacts it, though not assigned to 东河村
    ("cadre1", "136****2222"),     # assigned to 东河村, does not contact it
    ("secretary", "136****2222"),  # sees the township, handles no household
])
def test_who_handles_a_household_reads_its_phone(neighbours, who, near):
    rows = phones(neighbours.users[who])
    assert rows[neighbours.h_near.pk] == near


def test_a_contacts_help_plan_follows_the_same_rule(neighbours):
    w = neighbours
    HouseholdContact.objects.filter(household=w.h_near).update(help_plan="帮扶计划")
    rows = {c["household"]: c for c in api_for(w.cadre1.user).get(f"{API}/contacts/").json()["results"]}
    assert rows[w.h_near.pk]["help_plan"] == ""
    rows = {c["household"]: c for c in api_for(w.cadre3.user).get(f"{API}/contacts/").json()["results"]}
    assert rows[w.h_near.pk]["help_plan"] == "帮扶计划"
