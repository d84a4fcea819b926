"""Who sees which pledge, in the API and the pages; the API's actions, filters and query counts."""

from __future__ import annotations

import pytest
from django.db import connection

from cadres.roles import actor_for
from supervision.models import Pledge, PledgeTarget
from supervision.services import pledges as svc
from tests import factories as f
from tests.helpers import api_client, assert_num_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """One pledge at every level of the pyramid, and one in the other township."""

    def issue(level, pledgers, township=None):
        template = f.pledge_template(township or world.township, level)
        by = world.office.user
        if township is not None:
            by = f.CadreFactory(township=township, user__groups=["office"]).user
        return svc.pledge_issue_from_template(template=template, pledgers=pledgers, actor=actor_for(by))

    [world.p_v1, world.p_v2] = issue("village", [world.v1, world.v2])
    [world.p_unit] = issue("unit", [world.unit])
    [world.p_c1, world.p_c2] = issue("staff", [world.cadre1, world.cadre2])
    [world.p_dep] = issue("deputy", [world.deputy])
    f.CadreFactory(township=world.other_township, post="township_head")
    [world.p_other] = issue("village", [world.v_other], township=world.other_township)
    return world


ALL_HERE = {"p_v1", "p_v2", "p_unit", "p_c1", "p_c2", "p_dep"}
VISIBLE = {
    "secretary": ALL_HERE,
    "head": ALL_HERE,
    "office": ALL_HERE,
    "inspector": ALL_HERE,
    # leader in charge of the unit: own pledge, the unit's, its cadres'
    "deputy": {"p_dep", "p_unit", "p_c1", "p_c2"},
    "unit_head": {"p_unit", "p_c1", "p_c2"},
    "cadre1": {"p_c1"},
    "cadre2": {"p_c2"},
    "cadre3": set(),
    "village1": {"p_v1"},
    "outsider": set(),
    # the reporting role: villages' and units' pledges, no per-cadre figures
    "reporter": {"p_v1", "p_v2", "p_unit"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_lists_exactly_the_pledges_it_may_see(chain, who):
    names = {getattr(chain, n).pk: n for n in ALL_HERE | {"p_other"}}
    response = api_client(chain.users[who]).get("/api/v1/pledges/", {"page_size": 100})
    assert response.status_code == 200
    assert {names[row["id"]] for row in response.json()["results"]} == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_opens_only_those_pledges_elsewhere_404(chain, client, who):
    client.force_login(chain.users[who])
    api = api_client(chain.users[who])
    for name in sorted(ALL_HERE | {"p_other"}):
        pledge = getattr(chain, name)
        expected = 200 if name in VISIBLE[who] else 404
        assert api.get(f"/api/v1/pledges/{pledge.pk}/").status_code == expected, name
        assert client.get(f"/pledges/{pledge.pk}/").status_code == expected, name
        assert client.get(f"/pledges/{pledge.pk}/print/").status_code == expected, name


def test_the_pledge_api_carries_the_contract_fields(chain):
    data = api_client(chain.office.user).get(f"/api/v1/pledges/{chain.p_v1.pk}/").json()
    assert {k: data[k] for k in ("id", "year", "level", "level_display", "status", "status_display", "pledger_type",
                                 "pledger_id", "pledger_name", "superior")} == {
        "id": chain.p_v1.pk, "year": 2026, "level": "village", "level_display": "村→政府", "status": "issued",
        "status_display": "已下达", "pledger_type": "village", "pledger_id": chain.v1.pk, "pledger_name": "东河村",
        "superior": chain.head.pk}
    assert [(t["kind"], t["task"], t["points"]) for t in data["targets"]] == [
        ("base", "基础目标1", "60.0"), ("base", "基础目标2", "40.0"), ("bonus", "加分项3", "5.0"), ("veto", "否决项4", "0.0")]
    assert data["targets"][0]["assessment"] is None
    staff = api_client(chain.office.user).get(f"/api/v1/pledges/{chain.p_c1.pk}/").json()
    assert (staff["pledger_type"], staff["pledger_id"], staff["superior"]) == ("cadre", chain.cadre1.pk,
                                                                                chain.unit_head.pk)


def test_pledges_filter_by_year_status_and_level(chain):
    api = api_client(chain.office.user)
    svc.pledge_sign(pledge=chain.p_v1, actor=actor_for(chain.village1.user))

    def ids(**params):
        return {r["id"] for r in api.get("/api/v1/pledges/", params).json()["results"]}

    assert ids(level="village") == {chain.p_v1.pk, chain.p_v2.pk}
    assert ids(status="signed") == {chain.p_v1.pk}
    assert ids(year=2025) == set()
    bad = api.get("/api/v1/pledges/", {"status": "done"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_sign_and_countersign_through_the_api_answer_the_updated_pledge(chain):
    signed = api_client(chain.village1.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/sign/", {})
    assert signed.status_code == 200
    assert (signed.json()["status"], signed.json()["signed_by"]) == ("signed", chain.village1.pk)
    countersigned = api_client(chain.head.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/countersign/")
    assert countersigned.status_code == 200
    assert countersigned.json()["status"] == "countersigned"
    assert countersigned.json()["countersigned_by"] == chain.head.pk


def test_an_illegal_transition_is_a_400_with_the_reason_and_changes_nothing(chain):
    response = api_client(chain.head.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/countersign/")
    assert response.status_code == 400
    assert response.json()["detail"] == "责任方尚未签署，不能会签。"
    assert Pledge.objects.get(pk=chain.p_v1.pk).status == Pledge.Status.ISSUED


def test_someone_elses_pledge_is_403_when_visible_and_404_when_not(chain):
    # The township head sees the village's pledge but is not its pledger.
    visible = api_client(chain.head.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/sign/")
    assert visible.status_code == 403
    assert "责任方" in visible.json()["detail"]
    # cadre1 does not see it at all.
    hidden = api_client(chain.cadre1.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/sign/")
    assert hidden.status_code == 404
    assert api_client(chain.outsider.user).post(f"/api/v1/pledges/{chain.p_v1.pk}/countersign/").status_code == 404
    pledge = Pledge.objects.get(pk=chain.p_v1.pk)
    assert (pledge.status, pledge.signed_by, pledge.countersigned_by) == (Pledge.Status.ISSUED, None, None)


def test_the_api_is_read_only_beyond_the_actions(chain):
    api = api_client(chain.office.user)
    assert api.post("/api/v1/pledges/", {"year": 2026}).status_code == 405
    assert api.patch(f"/api/v1/pledges/{chain.p_v1.pk}/", {"status": "assessed"}).status_code == 405
    assert api.delete(f"/api/v1/pledges/{chain.p_v1.pk}/").status_code == 405
    assert Pledge.objects.get(pk=chain.p_v1.pk).status == Pledge.Status.ISSUED


def test_the_sign_page_signs_and_a_stranger_gets_404(chain, client):
    client.force_login(chain.cadre1.user)
    assert client.post(f"/pledges/{chain.p_v1.pk}/sign/").status_code == 404
    client.force_login(chain.head.user)
    refused = client.post(f"/pledges/{chain.p_v1.pk}/sign/", follow=True)
    assert "只有责任方" in refused.content.decode()
    assert Pledge.objects.get(pk=chain.p_v1.pk).status == Pledge.Status.ISSUED
    client.force_login(chain.village1.user)
    client.post(f"/pledges/{chain.p_v1.pk}/sign/")
    assert Pledge.objects.get(pk=chain.p_v1.pk).status == Pledge.Status.SIGNED
    assert client.get(f"/pledges/{chain.p_v1.pk}/sign/").status_code == 405


def test_my_pledges_page_lists_what_to_sign_and_the_chain_for_leaders(chain, client):
    client.force_login(chain.cadre1.user)
    page = client.get("/pledges/?year=2026").content.decode()
    assert "待我签署" in page and f"/pledges/{chain.p_c1.pk}/" in page
    assert f"/pledges/{chain.p_c2.pk}/" not in page

    svc.pledge_sign(pledge=chain.p_v1, actor=actor_for(chain.village1.user))
    client.force_login(chain.office.user)
    page = client.get("/pledges/?year=2026").content.decode()
    assert "责任书链条" in page
    assert "待 镇长 会签" in page  # where the village's pledge is stuck
    assert "待 干部甲 签署" in page
    for pledge in (chain.p_v1, chain.p_v2, chain.p_unit, chain.p_c1, chain.p_c2, chain.p_dep):
        assert f"/pledges/{pledge.pk}/" in page
    assert f"/pledges/{chain.p_other.pk}/" not in page


def test_the_chain_puts_each_pledge_under_its_superiors_pledge(chain):
    from cadres.roles import actor_for
    from supervision.selectors.pledges import pledge_chain

    tree = pledge_chain(actor_for(chain.office.user), year=2026)
    labels = {root.label: root for root in tree.roots}
    assert set(labels) == {"党委书记 书记", "镇长 镇长"}
    [deputy] = labels["党委书记 书记"].children
    assert deputy.pledge == chain.p_dep
    [unit] = deputy.children
    assert unit.pledge == chain.p_unit
    assert {n.pledge for n in unit.children} == {chain.p_c1, chain.p_c2}
    assert {n.pledge for n in labels["镇长 镇长"].children} == {chain.p_v1, chain.p_v2}
    assert tree.counts["issued"] == 6 and tree.total == 6


# --- query counts ------------------------------------------------------------------------------------


def _many_village_pledges(world, n: int) -> None:
    villages = [f.VillageFactory(township=world.township) for _ in range(n)]
    template = f.pledge_template(world.township, "village")
    svc.pledge_issue_from_template(template=template, pledgers=villages, actor=actor_for(world.office.user))


# PostgreSQL writes the page's rows with their targets as JSON in one statement; elsewhere the
# rows, the targets and their progress take three.
PAGE_QUERIES = 1 if connection.vendor == "postgresql" else 3


@pytest.mark.parametrize(("rows", "queries"), [(1, 6 + PAGE_QUERIES), (50, 6 + PAGE_QUERIES)])
def test_the_pledge_api_list_costs_the_same_at_1_and_50_rows(world, rows, queries):
    _many_village_pledges(world, rows)
    api = api_client(world.office.user, session=True)  # the user and their roles load on every request
    with assert_num_queries(queries):
        response = api.get("/api/v1/pledges/")
    assert len(response.json()["results"]) == rows
    assert PledgeTarget.objects.count() == 4 * rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_pledges_page_costs_the_same_at_1_and_50_rows(world, client, rows):
    _many_village_pledges(world, rows)
    client.force_login(world.office.user)
    # session, user, actor (groups, cadre, units), unread count, my pledges, the chain
    with assert_num_queries(8):
        response = client.get("/pledges/?year=2026")
    assert response.content.decode().count('href="/pledges/') >= rows


@pytest.mark.parametrize("rows", [1, 50])
def test_a_pledge_page_costs_the_same_whatever_the_number_of_pledges(world, client, rows):
    _many_village_pledges(world, rows)
    pledge = Pledge.objects.order_by("id").first()
    client.force_login(world.office.user)
    with assert_num_queries(10):
        assert client.get(f"/pledges/{pledge.pk}/").status_code == 200
