"""The cadres API: each role sees exactly its scope; only the office writes; phones are masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cadres.models import Cadre, Household, HouseholdContact, Training, Village, VillageAssignment
from tests import factories as f
from tests.helpers import api_client, assert_num_queries, results

API = "/api/v1"


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {row["id"] for row in results(response)}


# --- reading: the scope matrix ------------------------------------------------------------------------------------

HOUSEHOLDS = {
    "secretary": {"h1", "h2", "h3"},
    "office": {"h1", "h2", "h3"},
    "inspector": {"h1", "h2", "h3"},
    "reporter": {"h1", "h2", "h3"},
    "deputy": {"h1", "h2"},  # leads 东河村, and oversees the unit whose cadres link h1 and h2
    "unit_head": {"h1", "h2"},  # the unit's cadres' contact households
    "cadre1": {"h1"},
    "cadre2": {"h2"},
    "cadre3": {"h3"},
    "village1": {"h1"},
    "outsider": set(),
}


@pytest.mark.parametrize(("who", "expected"), HOUSEHOLDS.items())
def test_households_list_is_exactly_the_scope(world, who, expected):
    api = api_client(world.users[who], session=True)
    assert ids(api.get(f"{API}/households/")) == {getattr(world, h).pk for h in expected}
    for name in {"h1", "h2", "h3", "h_other"} - expected:
        response = api.get(f"{API}/households/{getattr(world, name).pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "未找到该对象，或您无权查看。"


CADRES = {
    "cadre1": {"cadre1", "cadre2", "unit_head", "village1", "deputy"},
    "village1": {"village1", "cadre1", "deputy"},
    "unit_head": {"unit_head", "cadre1", "cadre2"},
    "outsider": {"outsider"},
}


@pytest.mark.parametrize(("who", "expected"), CADRES.items())
def test_cadre_list_is_exactly_the_scope(world, who, expected):
    api = api_client(world.users[who], session=True)
    assert ids(api.get(f"{API}/cadres/")) == {getattr(world, c).pk for c in expected}
    hidden = world.cadre3 if "cadre3" not in expected else world.outsider
    assert api.get(f"{API}/cadres/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["secretary", "office", "reporter", "inspector"])
def test_township_wide_roles_see_their_township_only(world, who):
    api = api_client(world.users[who], session=True)
    township_cadres = set(Cadre.objects.filter(township=world.township).values_list("pk", flat=True))
    assert ids(api.get(f"{API}/cadres/")) == township_cadres
    assert ids(api.get(f"{API}/villages/")) == {world.v1.pk, world.v2.pk, world.v3.pk}
    assert ids(api.get(f"{API}/townships/")) == {world.township.pk}
    assert api.get(f"{API}/villages/{world.v_other.pk}/").status_code == 404
    assert api.get(f"{API}/townships/{world.other_township.pk}/").status_code == 404


def test_assignments_and_contacts_follow_the_scope(world):
    api = api_client(world.cadre2.user, session=True)
    assert ids(api.get(f"{API}/assignments/")) == set(
        VillageAssignment.objects.filter(cadre=world.cadre2).values_list("pk", flat=True))
    assert ids(api.get(f"{API}/contacts/")) == set(
        HouseholdContact.objects.filter(cadre=world.cadre2).values_list("pk", flat=True))
    other = HouseholdContact.objects.get(cadre=world.cadre1)
    assert api.get(f"{API}/contacts/{other.pk}/").status_code == 404


def test_anonymous_callers_are_refused(world):
    response = api_client().get(f"{API}/households/")
    assert response.status_code in (401, 403)


# --- masking ---------------------------------------------------------------------------------------------------------------


def _rows(api, path):  # type: ignore[no-untyped-def]
    return {row["id"]: row for row in api.get(path).json()["results"]}


def test_phone_is_masked_unless_the_caller_handles_the_household(world):
    deputy = _rows(api_client(world.deputy.user, session=True), f"{API}/households/")
    assert deputy[world.h1.pk]["phone"] == "13812345678"  # works in 东河村
    assert deputy[world.h2.pk]["phone"] == "139****4321"
    secretary = _rows(api_client(world.secretary.user, session=True), f"{API}/households/")
    assert {r["phone"] for r in secretary.values()} == {"138****5678", "139****4321", "137****1111"}
    assert secretary[world.h1.pk]["head_name"] == "张三"
    office = _rows(api_client(world.office.user, session=True), f"{API}/households/")
    assert office[world.h2.pk]["phone"] == "13987654321"


def test_reporter_gets_masked_names_and_phones(world):
    api = api_client(world.reporter_user, session=True)
    rows = _rows(api, f"{API}/households/")
    assert (rows[world.h1.pk]["head_name"], rows[world.h1.pk]["phone"]) == ("张*", "138****5678")
    detail = api.get(f"{API}/households/{world.h2.pk}/").json()
    assert (detail["head_name"], detail["phone"]) == ("李*", "139****4321")
    contacts = api.get(f"{API}/contacts/").json()["results"]
    assert {c["household_name"] for c in contacts} == {"张*", "李*"}
    assert {c["help_plan"] for c in contacts} == {""}


def test_choice_fields_travel_as_slugs_with_labels(world):
    row = api_client(world.office.user, session=True).get(f"{API}/cadres/{world.unit_head.pk}/").json()
    assert (row["post"], row["post_display"], row["unit"], row["unit_name"]) == (
        "unit_head", "站所负责人", world.unit.pk, "农业服务中心")
    assert row["reports_to"] == world.deputy.pk


def test_filters(world):
    api = api_client(world.office.user, session=True)
    assert ids(api.get(f"{API}/households/?village={world.v2.pk}")) == {world.h2.pk}
    assert ids(api.get(f"{API}/cadres/?unit={world.unit.pk}")) == {world.unit_head.pk, world.cadre1.pk,
                                                                     world.cadre2.pk}
    assert ids(api.get(f"{API}/assignments/?village={world.v1.pk}&role=leader")) == {
        VillageAssignment.objects.get(village=world.v1, role="leader").pk}
    assert ids(api.get(f"{API}/contacts/?active=false")) == set()
    assert api.get(f"{API}/households/?village=abc").status_code == 400


# --- writing: the office only ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cadre1", "secretary", "unit_head", "village1", "reporter", "inspector"])
def test_writes_by_anyone_but_the_office_are_refused_and_change_nothing(world, who):
    api = api_client(world.users[who], session=True)
    before = (Village.objects.count(), Household.objects.count(), HouseholdContact.objects.count(),
              VillageAssignment.objects.count())
    refused = [
        api.post(f"{API}/villages/", {"name": "新村", "code": "V777"}),
        api.patch(f"{API}/households/{world.h1.pk}/", {"head_name": "改名"}),
        api.post(f"{API}/contacts/", {"cadre": world.cadre1.pk, "household": world.h1.pk, "start": "2026-02-01"}),
        api.post(f"{API}/assignments/{VillageAssignment.objects.get(cadre=world.cadre1).pk}/end/", {}),
        api.patch(f"{API}/cadres/{world.cadre1.pk}/", {"phone": "13000000000"}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert refused[0].json()["detail"] == "只有党政办管理员可以修改此数据。"
    world.h1.refresh_from_db()
    world.cadre1.refresh_from_db()
    assert (world.h1.head_name, world.cadre1.phone) == ("张三", world.cadre1.phone)
    assert (Village.objects.count(), Household.objects.count(), HouseholdContact.objects.count(),
            VillageAssignment.objects.count()) == before
    assert VillageAssignment.objects.get(cadre=world.cadre1).end is None


def test_office_creates_and_changes_master_data(world):
    api = api_client(world.office.user, session=True)
    response = api.post(f"{API}/villages/", {"name": "新民村", "code": "V004", "groups": ["一组", "二组"]})
    assert response.status_code == 201, response.content
    village = Village.objects.get(code="V004")
    assert (village.township, [g["name"] for g in response.json()["groups"]]) == (world.township, ["一组", "二组"])

    response = api.post(f"{API}/households/", {"village": village.pk, "head_name": "赵大", "members": 3,
                                                "phone": "13511112222", "tags": ["party_member"]})
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["party_member"]

    response = api.patch(f"{API}/cadres/{world.cadre1.pk}/", {"phone": "13000000000"})
    assert (response.status_code, response.json()["phone"]) == (200, "13000000000")
    assert world.cadre1.history.count() == 2


def test_office_write_refused_by_a_rule_names_the_field(world):
    api = api_client(world.office.user, session=True)
    response = api.patch(f"{API}/cadres/{world.cadre1.pk}/", {"reports_to": world.secretary.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"reports_to": [
        "按职务，干部甲（机关干部）的上级应为站长（站所负责人）：机关干部向所在站办所负责人负责。"]}
    world.cadre1.refresh_from_db()
    assert world.cadre1.reports_to == world.unit_head


def test_office_change_without_a_superior_follows_the_post(world):
    # world's deputy still reports to the township head; any change realigns them to the secretary.
    response = api_client(world.office.user, session=True).patch(f"{API}/cadres/{world.deputy.pk}/", {"phone": "13100000000"})
    assert (response.status_code, response.json()["reports_to"]) == (200, world.secretary.pk)


def test_office_cannot_touch_another_township(world):
    api = api_client(world.office.user, session=True)
    assert api.patch(f"{API}/households/{world.h_other.pk}/", {"head_name": "改名"}).status_code == 404
    response = api.post(f"{API}/households/", {"village": world.v_other.pk, "head_name": "外人"})
    assert response.status_code == 400
    assert "village" in response.json()["errors"]
    world.h_other.refresh_from_db()
    assert world.h_other.head_name == "钱六"
    assert not Household.objects.filter(head_name="外人").exists()


def test_office_assigns_and_ends_through_the_services(world):
    api = api_client(world.office.user, session=True)
    response = api.post(f"{API}/assignments/", {"cadre": world.head.pk, "village": world.v1.pk, "role": "leader",
                                                "start": "2026-03-01"})
    assert response.status_code == 400
    assert response.json()["errors"]["role"][0].startswith("「东河村」已有包村领导副镇长")
    leader = VillageAssignment.objects.get(village=world.v1, role="leader")
    response = api.post(f"{API}/assignments/{leader.pk}/end/", {"end": "2026-03-01"})
    assert (response.status_code, response.json()["end"], response.json()["active"]) == (200, "2026-03-01", False)
    response = api.post(f"{API}/assignments/{leader.pk}/end/", {})
    assert response.status_code == 400
    assert response.json()["detail"] == "该包村已于2026年3月1日结束。"

    response = api.post(f"{API}/contacts/", {"cadre": world.cadre3.pk, "household": world.h3.pk,
                                             "kind": "poor_party_member", "start": "2026-02-01",
                                             "help_plan": "落实低保"})
    assert response.status_code == 201, response.content
    contact_id = response.json()["id"]
    assert api.patch(f"{API}/contacts/{contact_id}/", {"help_plan": "协调务工"}).json()["help_plan"] == "协调务工"
    assert api.post(f"{API}/contacts/{contact_id}/end/", {"end": "not-a-date"}).status_code == 400


def test_invalid_input_is_a_clear_400(world):
    api = api_client(world.office.user, session=True)
    response = api.post(f"{API}/households/", {"village": world.v1.pk, "head_name": "x" * 31, "members": 0})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"head_name", "members"}
    response = api.post(f"{API}/households/", {"village": world.v1.pk, "head_name": "张110101199001011234"})
    assert response.json()["errors"]["head_name"] == ["户主姓名不能包含数字（不要填写身份证号）。"]


# --- query counts: constant at 1 row and at 50 ---------------------------------------------------------------------------


def _more_households(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        household = f.HouseholdFactory(village=world.v3)
        household.tags.add(1)


def _more_villages(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        f.VillageGroupFactory(village=f.VillageFactory(township=world.township, kind="community"))


def _more_units(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        f.UnitFactory(township=world.township, kind="department", head=world.cadre3, leader_in_charge=world.deputy)


def _more_cadres(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        f.CadreFactory(township=world.township, unit=world.unit2, user=None)


def _more_assignments(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        f.AssignmentFactory(cadre=f.CadreFactory(township=world.township, user=None), village=world.v3)


def _more_contacts(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        f.ContactFactory(cadre=world.cadre3, household=f.HouseholdFactory(village=world.v3))


def _more_trainings(world, n):  # type: ignore[no-untyped-def]
    for i in range(n):
        Training.objects.create(township=world.township, title=f"培训{i}", date=dt.date(2026, 5, 1),
                                village=world.v3)


# Households read their tags in the page's own query on PostgreSQL (an ARRAY column), afterwards on SQLite.
TAGS_QUERY = int(connection.vendor != "postgresql")

LISTS = [
    # (path, filter isolating the rows, add rows, queries)
    # The office's 7: session, user, groups, cadre, headed/supervised units, count, page; plus one
    # prefetch for villages (groups) and, on SQLite, one for households (tags).
    ("households", "?village={v3}", _more_households, 7 + TAGS_QUERY),
    ("villages", "?kind=community", _more_villages, 8),
    ("units", "?kind=department", _more_units, 7),
    ("cadres", "?unit={unit2}", _more_cadres, 7),
    ("assignments", "?village={v3}", _more_assignments, 7),
    ("contacts", "?cadre={cadre3}", _more_contacts, 7),
    ("trainings", "?village={v3}", _more_trainings, 7),
]
# Rows the world already has under each filter (cadre3 in 财政所, h3 and cadre3's assignment in 南沟村).
PRESENT = {"households": 1, "cadres": 1, "assignments": 1}


@pytest.mark.parametrize(("resource", "query", "add", "queries"), LISTS)
def test_list_query_count_is_pinned(world, resource, query, add, queries):
    path = f"{API}/{resource}/" + query.format(v3=world.v3.pk, unit2=world.unit2.pk, cadre3=world.cadre3.pk)
    api = api_client(world.office.user, session=True)
    add(world, 1 - PRESENT.get(resource, 0))
    with assert_num_queries(queries):
        assert len(results(api.get(path))) == 1
    add(world, 49)
    with assert_num_queries(queries):
        assert len(results(api.get(path))) == 50


def test_household_list_of_a_cadre_is_pinned_too(world):
    # A cadre's scope costs two more (uncached: the actor cache is off in tests): their active
    # village assignments, and their contacts, which also decide the phones they handle.
    api = api_client(world.cadre3.user, session=True)
    path = f"{API}/households/"
    with assert_num_queries(9 + TAGS_QUERY):
        assert len(results(api.get(path))) == 1
    _more_households(world, 49)
    with assert_num_queries(9 + TAGS_QUERY):
        assert len(results(api.get(path))) == 50


@pytest.mark.parametrize(
    "who", ["secretary", "cadre1", "cadre2", "deputy", "unit_head", "office", "village1", "reporter", "county"]
)
def test_the_household_list_rows_are_the_serializers_byte_for_byte(world, who):
    # given households with and without a group, tags, phones, notes, an erased one, in and out of
    # the caller's contacts and led villages
    from django.contrib.auth.models import Group
    from django.test import RequestFactory
    from rest_framework.renderers import JSONRenderer

    from cadres.api.serializers import HouseholdSerializer
    from cadres.models import HouseholdTag, VillageGroup
    from cadres.roles import actor_for
    from cadres.selectors import household_list

    if who == "county":
        user = f.UserFactory(username="county", groups=["county"])
        Group.objects.get_or_create(name="county")
        f.MembershipFactory(user=user, township=None)
    else:
        user = world.users[who]
    group = VillageGroup.objects.create(village=world.v1, name="一组", order=1)
    poor, monitored = (
        HouseholdTag.objects.get_or_create(slug=slug, defaults={"name": slug})[0] for slug in ("poor_party_member", "monitored")
    )
    world.h1.group, world.h1.note = group, "低保户，需每月走访"
    world.h1.save()
    world.h1.tags.set([monitored, poor])
    world.h2.note = "独居老人"
    world.h2.save()
    world.h2.tags.set([poor])
    erased = f.HouseholdFactory(village=world.v1, head_name="孙七", phone="13600002222", note="x")
    Household.objects.filter(pk=erased.pk).update(erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    f.HouseholdFactory(village=world.v3, head_name="周八", phone="", is_active=False)
    # when the list is read, and the serializer (the schema's and the detail's) renders the same rows
    answer = api_client(user).get(f"{API}/households/?page_size=200")
    assert answer.status_code == 200
    body = answer.json()
    actor = actor_for(user)
    request = RequestFactory().get("/")
    expected = HouseholdSerializer(list(household_list(actor)), many=True, context={"actor": actor, "request": request})
    # then every row is the serializer's, in the same order, rendered to the same bytes
    assert body["count"] == len(expected.data) and body["results"] == expected.data
    assert JSONRenderer().render(body["results"]) == JSONRenderer().render(expected.data)
    if who in ("secretary", "office"):
        assert {row["id"] for row in body["results"]} >= {world.h1.pk, world.h2.pk, erased.pk}
