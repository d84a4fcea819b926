"""Staff pages: /households/ (my contact households and villages), /cadres/tree/, dashboard panels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cadres.dashboard import panels
from cadres.models import Cadre, HouseholdContact, Post
from cadres.roles import actor_for
from supervision.dashboard.diaries_matters import panels as daily_panels
from supervision.models import Matter
from tests import factories as f
from tests.helpers import assert_num_queries, page_client


def test_households_page_shows_my_contacts_with_last_visit_and_open_matters(world):
    visit = timezone.localdate() - dt.timedelta(days=3)
    diary = f.DiaryFactory(author=world.cadre2, village=world.v1, date=visit)  # anyone's visit counts
    diary.households.add(world.h1)
    f.MatterFactory(village=world.v1, household=world.h1, status=Matter.Status.IN_PROGRESS)
    f.MatterFactory(village=world.v1, household=world.h1, status=Matter.Status.CLOSED)

    response = page_client(world.cadre1.user).get("/households/")

    assert response.status_code == 200
    [contact] = response.context["contacts"]
    assert (contact.household, contact.last_visit, contact.open_matters, contact.days_since) == (world.h1, visit, 1, 3)
    page = response.content.decode()
    assert "张三" in page and "13812345678" in page  # a cadre's own household: full phone
    assert "李四" not in page
    assert response.context["quota"].shortfall == 5
    [village] = response.context["villages"]
    assert (village, village.leading[0].cadre) == (world.v1, world.deputy)


def test_households_page_for_a_village_cadre_and_for_someone_without_a_cadre(world):
    response = page_client(world.village1.user).get("/households/")
    assert [v.pk for v in response.context["villages"]] == [world.v1.pk]
    assert response.context["contacts"] == []
    response = page_client(world.reporter_user).get("/households/")
    assert response.status_code == 200
    assert "您的账号没有对应的干部信息" in response.content.decode()


def test_households_page_needs_a_log_in(world):
    response = Client().get("/households/")
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/households/")


def test_households_page_query_count_is_pinned(world):
    client = page_client(world.cadre1.user)
    with assert_num_queries(13):
        assert client.get("/households/").status_code == 200
    for _ in range(49):
        f.ContactFactory(cadre=world.cadre1, household=f.HouseholdFactory(village=world.v1))
    response = client.get("/households/")
    assert len(response.context["contacts"]) == 50
    with assert_num_queries(13):
        assert client.get("/households/").status_code == 200


@pytest.mark.parametrize("who", ["secretary", "head", "office"])
def test_tree_is_for_leaders_and_the_office(world, who):
    # A deputy reporting to the township head breaks the rule (deputies → party secretary): flagged.
    Cadre.objects.filter(pk=world.deputy.pk).update(reports_to=world.head)
    response = page_client(world.users[who]).get("/cadres/tree/")
    assert response.status_code == 200
    pyramid = response.context["pyramid"]
    assert [n.cadre for n in pyramid.roots][:2] == [world.secretary, world.head]
    head = pyramid.roots[1]
    deputy = next(n for n in head.children if n.cadre == world.deputy)
    assert deputy.mismatch and deputy.expected == world.secretary
    unit_head = next(n for n in deputy.children if n.cadre == world.unit_head)
    assert {n.cadre for n in unit_head.children} == {world.cadre1, world.cadre2}
    [v1] = [b for b in pyramid.villages if b.village == world.v1]
    assert (v1.leading, [n.cadre for n in v1.cadres]) == (world.deputy, [world.village1])
    assert pyramid.countersigner == world.head
    assert world.outsider not in {n.cadre for n in pyramid.short}
    assert "上级不符" in response.content.decode()


@pytest.mark.parametrize("who", ["cadre1", "unit_head", "village1", "reporter", "deputy"])
def test_tree_is_404_for_everyone_else(world, who):
    assert page_client(world.users[who]).get("/cadres/tree/").status_code == 404


def test_tree_query_count_is_pinned(db):
    township = f.TownshipFactory()
    secretary = f.CadreFactory(township=township, post=Post.PARTY_SECRETARY)
    f.AssignmentFactory(cadre=secretary, village=f.VillageFactory(township=township), role="leader")
    client = page_client(secretary.user)
    with assert_num_queries(13):
        assert client.get("/cadres/tree/").status_code == 200
    unit = f.UnitFactory(township=township, leader_in_charge=secretary)
    for _ in range(48):
        f.CadreFactory(township=township, unit=unit, user=None)
    assert sum(1 for _ in client.get("/cadres/tree/").context["pyramid"].roots) == 49
    with assert_num_queries(13):
        assert client.get("/cadres/tree/").status_code == 200


# The cadre's daily panels: today's diary, my matters by light and my households (contacts with their
# last visit, the post's quota) in one statement (supervision.dashboard.own).
QUERIES = 1


def households_panel(actor, user):
    """The households panel of the actor's daily panels (supervision.dashboard.diaries_matters)."""
    return next((p for p in daily_panels(actor, user) if p["template"] == "cadres/panel_households.html"), None)


def test_cadre_dashboard_panel_shows_unvisited_households_and_shortfall(world):
    old = timezone.localdate() - dt.timedelta(days=40)
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=old)
    diary.households.add(world.h1)
    actor = actor_for(world.cadre1.user)
    with assert_num_queries(QUERIES):
        panel = households_panel(actor, world.cadre1.user)
    assert panel is not None
    assert (panel["stale_count"], panel["stale"][0].last_visit, panel["quota"].shortfall) == (1, old, 5)
    for _ in range(49):
        f.ContactFactory(cadre=world.cadre1, household=f.HouseholdFactory(village=world.v1))
    actor = actor_for(world.cadre1.user)
    with assert_num_queries(QUERIES):
        panel = households_panel(actor, world.cadre1.user)
    assert panel is not None
    assert (panel["stale_count"], len(panel["stale"]), panel["quota"].shortfall) == (50, 5, 0)


def test_leader_dashboard_counts_the_township_shortfall(world):
    [township] = panels(actor_for(world.secretary.user), world.secretary.user)
    assert households_panel(actor_for(world.secretary.user), world.secretary.user)["template"] == "cadres/panel_households.html"
    assert township["template"] == "cadres/panel_quota.html"
    # Leading cadres need 1+10, unit heads 1+5, staff 0+5: all nine township cadres fall short.
    assert (township["short_count"], township["total"], township["missing"]) == (9, 9, 4 * 11 + 6 + 5 + 5 + 4 + 5)


def test_dashboard_renders_the_panels(world):
    HouseholdContact.objects.filter(cadre=world.cadre1).update(start=dt.date(2026, 1, 1))
    response = page_client(world.cadre1.user).get("/")
    assert response.status_code == 200
    assert "联系户还差 5 户" in response.content.decode()
