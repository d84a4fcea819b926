"""一类事 in the pages and the API: who reads the groups, what the reporter is not told, the party
secretary's adoption from the page, a major item's refusal in the page, one-step publication."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from supervision.models import AgendaItem, Disclosure, ProblemGroup
from supervision.services.problem_groups import problem_groups_refresh
from tests import factories as f
from tests.helpers import api_client, assert_same_queries, page_client

pytestmark = pytest.mark.django_db

SEPT = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
PERIOD = {"start": "2026-09-01", "end": "2026-09-30"}
URL = "/api/v1/problem-groups/"


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 9, 20, 2, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def _pumps(w, villages, day=2):
    for n, (village, author) in enumerate(villages):
        d = f.DiaryFactory(author=author, village=village, date=dt.date(2026, 9, day + n), category="infrastructure",
                           problems="机井水泵损坏，春灌用水困难" if n % 2 else "村里机井的水泵坏了多日，群众春灌用水困难")
        d.households.add(w.h1 if village == w.v1 else w.h2)


@pytest.fixture
def groups(world, clock):
    w = world
    _pumps(w, [(w.v1, w.cadre1), (w.v2, w.cadre2)])
    f.DiaryFactory(author=w.cadre3, village=w.v3, date=dt.date(2026, 9, 4), category="infrastructure",
                   problems="村道路灯不亮，夜间出行不便")
    f.DiaryFactory(author=w.outsider, village=w.v_other, date=dt.date(2026, 9, 4), problems="机井水泵损坏")
    problem_groups_refresh(start=SEPT[0], end=SEPT[1])
    w.group = ProblemGroup.objects.get(township=w.township)
    return w


def test_leaders_and_the_office_see_the_months_groups_largest_first(groups):
    for who in ("secretary", "head", "office", "inspector"):
        response = page_client(groups.users[who]).get("/agenda/groups/", PERIOD)
        assert response.status_code == 200, who
        assert groups.group.label in response.content.decode()
    page = page_client(groups.users["office"]).get("/agenda/groups/", PERIOD).content.decode()
    # A list of problems, never of people: no cadre's name on the page.
    assert "干部甲" not in page and "干部乙" not in page


def test_cadres_and_village_cadres_get_no_groups_page_and_no_group(groups):
    for who in ("cadre1", "village1", "unit_head", "outsider"):
        client = page_client(groups.users[who])
        assert client.get("/agenda/groups/").status_code == 404, who
        assert client.get(f"/agenda/groups/{groups.group.pk}/").status_code == 404, who


def test_a_bad_period_on_the_page_is_a_clear_400(groups):
    response = page_client(groups.users["office"]).get("/agenda/groups/", {"start": "2026-09-30", "end": "2026-09-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_the_party_secretary_adopts_a_group_from_its_page_and_nobody_else_can(groups):
    head = page_client(groups.users["head"])
    assert "列入党委议题</button>" not in head.get(f"/agenda/groups/{groups.group.pk}/").content.decode()
    assert head.post(f"/agenda/groups/{groups.group.pk}/adopt/").status_code == 403
    assert not AgendaItem.objects.exists()

    secretary = page_client(groups.users["secretary"])
    response = secretary.post(f"/agenda/groups/{groups.group.pk}/adopt/")
    item = AgendaItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/agenda/{item.pk}/"
    assert secretary.get(f"/agenda/{item.pk}/").status_code == 200


def test_the_office_cannot_decide_a_major_item_in_the_page_before_the_consultation(groups):
    office = page_client(groups.users["office"])
    response = office.post("/agenda/new/", {"title": "村级道路养护办法", "is_major": "on"})
    item = AgendaItem.objects.get()
    assert response.status_code == 302 and item.is_major

    refused = office.post(f"/agenda/{item.pk}/decision/", {"decision": "同意"})
    assert refused.status_code == 400
    assert "须先征求群众意见" in refused.content.decode()
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING

    assert office.post(f"/agenda/{item.pk}/consultation/", {
        "method": "meeting", "from_whom": "村民代表", "summary": "同意", "start": "2026-09-10",
        "end": "2026-09-15"}).status_code == 302
    assert office.post(f"/agenda/{item.pk}/decision/", {"decision": "同意"}).status_code == 302
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DECIDED


def test_the_office_publishes_a_decision_from_a_prefilled_draft(groups):
    office = page_client(groups.users["office"])
    office.post("/agenda/new/", {"title": "村级道路养护办法"})
    item = AgendaItem.objects.get()
    office.post(f"/agenda/{item.pk}/decision/", {"decision": "各村设公益岗负责道路养护"})

    draft = office.get(f"/agenda/{item.pk}/publish/")
    assert draft.status_code == 200
    assert "各村设公益岗负责道路养护" in draft.content.decode()
    # the township's own subject is chosen in the draft
    assert draft.context["form"]["subject_kind"].value() == "township"
    form = {"domain": "party_affairs", "subject_kind": "village", "village": "", "title": "党委决策公开：村级道路养护办法",
            "content": "各村设公益岗负责道路养护", "posted_on": "2026-09-20", "channel": "board", "display_days": 10}
    refused = office.post(f"/agenda/{item.pk}/publish/", form)
    assert refused.status_code == 400 and "请选择公开的村。" in refused.content.decode()
    assert not Disclosure.objects.exists()
    response = office.post(f"/agenda/{item.pk}/publish/", {**form, "subject_kind": "township"})
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/disclosures/{disclosure.pk}/"
    assert (disclosure.category, disclosure.subject_kind, disclosure.village) == ("党委重大事项决策", "township", None)
    assert page_client(groups.users["cadre1"]).get(f"/agenda/{item.pk}/publish/").status_code == 404


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_lists_the_periods_groups_with_their_references(groups):
    response = api_client(groups.users["secretary"]).get(URL, PERIOD)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["label"] == groups.group.label and row["keywords"] == groups.group.keywords
    assert row["villages"] == sorted([groups.v1.pk, groups.v2.pk])
    assert len(row["diaries"]) == 2 and row["matters"] == []
    assert (row["first_seen"], row["last_seen"]) == ("2026-09-02", "2026-09-03")
    assert row["cadres"] == sorted([groups.cadre1.pk, groups.cadre2.pk])
    assert row["households"] == sorted([groups.h1.pk, groups.h2.pk])


def test_a_diary_with_two_problems_is_listed_once_in_each_of_its_groups(groups, clock):
    w = groups
    both = f.DiaryFactory(author=w.head, village=w.v2, date=dt.date(2026, 9, 10), category="infrastructure",
                          problems="1.机井水泵损坏，春灌用水困难。2.村道路灯不亮，夜间出行不便")
    problem_groups_refresh(start=SEPT[0], end=SEPT[1])
    rows = api_client(w.users["secretary"]).get(URL, PERIOD).json()["results"]
    # the pumps (two villages' diaries and this one) and the street lamps (village 3's and this one)
    assert sorted(len(row["diaries"]) for row in rows) == [2, 3]
    for row in rows:
        assert both.pk in row["diaries"] and len(row["diaries"]) == len(set(row["diaries"]))
    for group in ProblemGroup.objects.filter(township=w.township):
        page = page_client(w.users["secretary"]).get(f"/agenda/groups/{group.pk}/").content.decode()
        assert page.count(f'href="/diaries/{both.pk}/"') == 1


def test_the_reporter_gets_the_groups_without_households_or_cadres(groups):
    (row,) = api_client(groups.users["reporter"]).get(URL, PERIOD).json()["results"]
    assert "households" not in row and "cadres" not in row
    assert len(row["diaries"]) == 2


def test_a_cadre_is_refused_and_another_township_sees_none_of_ours(groups):
    assert api_client(groups.users["cadre1"]).get(URL, PERIOD).status_code == 403
    other = f.UserFactory(username="other-office", groups=["office"])
    f.CadreFactory(township=groups.other_township, user=other)
    assert api_client(other).get(URL, PERIOD).json()["results"] == []


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-13-01", "end": "2026-09-30"}, "start"),
    ({"start": "2026-09-30", "end": "2026-09-01"}, "end"),
    ({"start": "2024-01-01", "end": "2026-09-01"}, "end"),
])
def test_bad_dates_are_a_clear_400(groups, params, field):
    response = api_client(groups.users["office"]).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_api_costs_the_same_for_one_group_and_for_many(groups):
    client = api_client(groups.users["office"])
    others = [groups.v3, f.VillageFactory(township=groups.township, code="V004")]

    def grow():
        _pumps(groups, [(others[0], groups.cadre3), (others[1], groups.head)], day=10)
        for n, village in enumerate([groups.v1, groups.v2, groups.v3]):
            f.DiaryFactory(author=[groups.cadre1, groups.cadre2, groups.cadre3][n], village=village,
                           date=dt.date(2026, 9, 20 + n), category="livelihood", problems="独居老人冬季取暖困难")
        problem_groups_refresh(start=SEPT[0], end=SEPT[1])
        assert ProblemGroup.objects.filter(township=groups.township).count() == 2

    assert_same_queries(lambda: client.get(URL, PERIOD), grow, warm=True)


def test_the_api_refuses_to_decide_a_major_item_before_its_consultation(groups):
    office = api_client(groups.users["office"])
    page_client(groups.users["office"]).post("/agenda/new/", {"title": "村级道路养护办法", "is_major": "on"})
    item = AgendaItem.objects.get()

    refused = office.post(f"/api/v1/agenda-items/{item.pk}/decide/", {"decision": "同意"}, format="json")
    assert refused.status_code == 400
    assert "须先征求群众意见" in refused.json()["detail"]
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING

    assert office.post(f"/api/v1/agenda-items/{item.pk}/consultation/", {
        "method": "visits", "from_whom": "受影响农户", "summary": "同意", "start": "2026-09-10", "end": "2026-09-12"},
        format="json").status_code == 200
    decided = office.post(f"/api/v1/agenda-items/{item.pk}/decide/", {"decision": "同意"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    assert api_client(groups.users["cadre1"]).get(f"/api/v1/agenda-items/{item.pk}/").status_code == 404


def test_the_groups_page_costs_the_same_for_one_group_and_for_many(groups):
    client = page_client(groups.users["secretary"])

    def grow():
        for n, village in enumerate([groups.v1, groups.v2, groups.v3]):
            f.DiaryFactory(author=[groups.cadre1, groups.cadre2, groups.cadre3][n], village=village,
                           date=dt.date(2026, 9, 20 + n), category="livelihood", problems="独居老人冬季取暖困难")
        problem_groups_refresh(start=SEPT[0], end=SEPT[1])
        assert ProblemGroup.objects.filter(township=groups.township).count() == 2

    assert_same_queries(lambda: client.get("/agenda/groups/", PERIOD), grow, warm=True)


def test_the_office_regroups_a_period_from_the_page_and_follows_the_job(world, clock,
                                                                         django_capture_on_commit_callbacks):
    from core.models import JobRun

    _pumps(world, [(world.v1, world.cadre1), (world.v2, world.cadre2)])
    office = page_client(world.users["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post("/agenda/groups/run/", PERIOD)

    job = JobRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")
    assert (job.name, job.status, job.params["township"]) == ("problem_groups", "succeeded", world.township.pk)
    assert ProblemGroup.objects.filter(township=world.township).count() == 1
    page = office.get(f"/jobs/{job.pk}/").content.decode()
    assert "归纳一类事进度" in page and "/agenda/groups/?start=2026-09-01" in page
    # Nobody else sees the job; a cadre cannot start one.
    assert page_client(world.users["secretary"]).get(f"/jobs/{job.pk}/").status_code == 404
    assert page_client(world.users["cadre1"]).post("/agenda/groups/run/", PERIOD).status_code == 404
    assert JobRun.objects.count() == 1
