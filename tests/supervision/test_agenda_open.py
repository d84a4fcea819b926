"""Decisions made in the open: major items need their consultation on record before a decision;
the party secretary puts a group of problems on the agenda; the decision goes back to every diary
and matter of the group and to those who raised them; a decision becomes a posted 党务 disclosure
in one step, counted in the quarterly check."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cadres.roles import SYSTEM, actor_for
from core.errors import NotAllowed, StateError
from core.models import Notification
from supervision.models import AgendaItem, Disclosure, DisclosureCheckItem, DisclosureRequirement, ProblemGroup
from supervision.services import agenda as services
from supervision.services.disclosures import disclosure_check_run
from supervision.services.problem_groups import problem_groups_refresh
from tests import factories as f

pytestmark = pytest.mark.django_db

SEPT = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def group(world, clock):
    w = world
    w.d1 = f.DiaryFactory(author=w.cadre1, village=w.v1, date=dt.date(2026, 9, 2), category="infrastructure",
                          problems="机井水泵损坏，春灌用水困难")
    w.d2 = f.DiaryFactory(author=w.cadre2, village=w.v2, date=dt.date(2026, 9, 3), category="infrastructure",
                          problems="村里机井的水泵坏了多日，群众春灌用水困难")
    w.m1 = f.MatterFactory(village=w.v3, raised_by=w.cadre3, category="infrastructure",
                           description="机井水泵损坏，春灌用水困难")
    problem_groups_refresh(start=SEPT[0], end=SEPT[1], township_id=w.township.pk)
    return ProblemGroup.objects.get(township=w.township)


def _consult(world, item):
    return services.agenda_consultation_record(
        actor=actor_for(world.office.user), item=item, method="meeting", from_whom="村民代表、受影响农户",
        summary="多数群众同意统一维修机井", start=dt.date(2026, 9, 5), end=dt.date(2026, 9, 8))


def test_only_the_party_secretary_puts_a_group_on_the_agenda(world, group):
    for who in ("head", "office", "deputy", "cadre1"):
        with pytest.raises(NotAllowed):
            services.group_adopt(actor=actor_for(world.users[who]), group=group)
    assert not AgendaItem.objects.exists()

    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)

    group.refresh_from_db()
    assert group.agenda_item == item
    assert item.source == AgendaItem.Source.GROUP and item.diary_id is None
    with pytest.raises(StateError):
        services.group_adopt(actor=actor_for(world.secretary.user), group=group)


def test_a_major_item_cannot_be_decided_before_its_consultation_is_recorded(world, group):
    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)
    services.agenda_mark_major(actor=actor_for(world.office.user), item=item)

    with pytest.raises(StateError, match="须先征求群众意见"):
        services.agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="统一维修机井")
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING and item.decision == ""

    _consult(world, item)
    services.agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="统一维修机井")
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DECIDED


def test_the_database_refuses_a_decided_major_item_without_consultation(world, group):
    from django.db import IntegrityError, transaction

    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.filter(pk=item.pk).update(is_major=True, status="decided", decision="x")


@pytest.mark.parametrize(("changes", "field"), [
    ({"method": "carrier_pigeon"}, "method"),
    ({"from_whom": "  "}, "from_whom"),
    ({"summary": ""}, "summary"),
    ({"start": dt.date(2026, 9, 8), "end": dt.date(2026, 9, 5)}, "end"),
    ({"end": dt.date(2026, 9, 11)}, "end"),
])
def test_an_incomplete_consultation_is_refused_and_changes_nothing(world, group, changes, field):
    item = services.agenda_item_create(actor=actor_for(world.office.user), title="村级道路养护", is_major=True)
    data = {"method": "notice", "from_whom": "全体村民", "summary": "同意", "start": dt.date(2026, 9, 1),
            "end": dt.date(2026, 9, 9), **changes}
    with pytest.raises(ValidationError) as caught:
        services.agenda_consultation_record(actor=actor_for(world.office.user), item=item, **data)
    assert field in caught.value.error_dict
    item.refresh_from_db()
    assert item.consultation_recorded_at is None


def test_a_cadre_can_neither_enter_nor_mark_nor_decide(world, group):
    cadre = actor_for(world.cadre1.user)
    with pytest.raises(NotAllowed):
        services.agenda_item_create(actor=cadre, title="x")
    item = services.agenda_item_create(actor=actor_for(world.office.user), title="村级道路养护")
    with pytest.raises(NotAllowed):
        services.agenda_mark_major(actor=cadre, item=item)
    with pytest.raises(NotAllowed):
        services.agenda_decide(actor=cadre, item=item, decision="x")
    with pytest.raises(NotAllowed):
        services.agenda_decide(actor=actor_for(world.outsider.user), item=item, decision="x")
    item.refresh_from_db()
    assert (item.is_major, item.status) == (False, AgendaItem.Status.PENDING)


def test_the_decision_on_a_group_tells_everyone_who_raised_its_problems(world, group, django_capture_on_commit_callbacks):
    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="统一维修机井，月底前完成")

    told = set(Notification.objects.filter(kind="group_decided").values_list("recipient__username", flat=True))
    assert told == {"cadre1", "cadre2", "cadre3"}
    from supervision.selectors.problem_groups import decisions_for_diary, decisions_for_matter

    for diary in (world.d1, world.d2):
        assert [g.agenda_item.decision for g in decisions_for_diary(diary)] == ["统一维修机井，月底前完成"]
    assert [g.agenda_item.decision for g in decisions_for_matter(world.m1)] == ["统一维修机井，月底前完成"]


def test_a_decision_becomes_a_posted_party_disclosure_of_the_township_counted_in_its_quarterly_check(
        world, group, township_checked):
    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)
    services.agenda_mark_major(actor=actor_for(world.office.user), item=item)
    _consult(world, item)
    services.agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="统一维修机井")
    item.refresh_from_db()
    draft = services.decision_draft(item)
    assert "统一维修机井" in draft["content"] and "村民代表" in draft["content"]
    # the township party committee's decision: the draft chooses the township's own 党务
    assert (draft["domain"], draft["subject_kind"]) == ("party_affairs", "township")

    with pytest.raises(NotAllowed):
        services.agenda_publish(actor=actor_for(world.secretary.user), item=item, domain="party_affairs",
                                title=draft["title"], content=draft["content"], posted_on=dt.date(2026, 9, 10))
    disclosure = services.agenda_publish(
        actor=actor_for(world.office.user), item=item, domain=draft["domain"], subject_kind=draft["subject_kind"],
        title=draft["title"], content=draft["content"], posted_on=dt.date(2026, 9, 10))

    assert (disclosure.subject_kind, disclosure.village, disclosure.township) == ("township", None, world.township)
    assert (disclosure.domain, disclosure.category, disclosure.decision_date) == (
        "party_affairs", "党委重大事项决策", dt.date(2026, 9, 10))
    assert disclosure.requirement.applies_to == "township"
    item.refresh_from_db()
    assert item.disclosure == disclosure
    with pytest.raises(StateError):
        services.agenda_publish(actor=actor_for(world.office.user), item=item, domain="party_affairs",
                                title="t", content="c", posted_on=dt.date(2026, 9, 10))
    assert Disclosure.objects.count() == 1

    disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=world.township, today=dt.date(2026, 10, 25))
    counted = DisclosureCheckItem.objects.get(check_run__subject_kind="township", check_run__township=world.township,
                                              requirement=disclosure.requirement)
    assert (counted.result, counted.disclosure_id) == ("on_time", disclosure.pk)


@pytest.fixture
def township_checked():
    """The township has switched on the check of its own (镇本级) disclosures."""
    DisclosureRequirement.objects.filter(township__isnull=True, applies_to="township").update(is_active=True)


def test_a_government_decision_is_the_townships_own_government_affairs(world, township_checked):
    item = services.agenda_item_create(actor=actor_for(world.office.user), title="镇区停车管理办法")
    services.agenda_decide(actor=actor_for(world.head.user), item=item, decision="设置临时停车区")
    disclosure = services.agenda_publish(actor=actor_for(world.office.user), item=item, domain="government_affairs",
                                         title="政府决策公开：镇区停车管理办法", content="设置临时停车区",
                                         posted_on=dt.date(2026, 9, 10))
    assert (disclosure.subject_kind, disclosure.village_id, disclosure.domain, disclosure.category) == (
        "township", None, "government_affairs", "政府重大行政决策")
    assert disclosure.requirement is not None and disclosure.requirement.applies_to == "township"


def test_the_office_may_post_a_decision_for_one_village_instead(world, group):
    item = services.group_adopt(actor=actor_for(world.secretary.user), group=group)
    services.agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="统一维修机井")
    disclosure = services.agenda_publish(
        actor=actor_for(world.office.user), item=item, domain="party_affairs", subject_kind="village",
        village=world.v1, title="党委决策公开", content="统一维修机井", posted_on=dt.date(2026, 9, 10))
    assert (disclosure.subject_kind, disclosure.village) == ("village", world.v1)

    disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=world.township, today=dt.date(2026, 10, 25))
    counted = DisclosureCheckItem.objects.get(check_run__village=world.v1, requirement=disclosure.requirement)
    assert (counted.result, counted.disclosure_id) == ("on_time", disclosure.pk)


def test_a_decision_is_not_published_as_village_affairs_nor_for_another_townships_village(world, group):
    item = services.agenda_item_create(actor=actor_for(world.office.user), title="村级道路养护")
    with pytest.raises(StateError):
        services.agenda_publish(actor=actor_for(world.office.user), item=item, domain="party_affairs",
                                title="t", content="c", posted_on=dt.date(2026, 9, 10))
    services.agenda_decide(actor=actor_for(world.head.user), item=item, decision="同意")
    for domain, kind, village in (("village_affairs", "township", None), ("party_affairs", "village", world.v_other),
                                  ("party_affairs", "village", None), ("party_affairs", "school", None)):
        with pytest.raises(ValidationError):
            services.agenda_publish(actor=actor_for(world.office.user), item=item, domain=domain, subject_kind=kind,
                                    village=village, title="t", content="c", posted_on=dt.date(2026, 9, 10))
    assert not Disclosure.objects.exists()


# --- 考核结果公示 --------------------------------------------------------------------------------------


def _assessed(world):
    from supervision.models import Pledge
    from supervision.services import pledges as pledge_svc

    [village_pledge] = pledge_svc.pledge_issue_from_template(
        template=f.pledge_template(world.township, "village", year=2026), pledgers=[world.v1], actor=actor_for(world.office.user))
    Pledge.objects.filter(pk=village_pledge.pk).update(status="assessed", total_score=92, grade="excellent")
    cadre_pledge = Pledge.objects.create(township=world.township, year=2026, level="cadre",
                                         pledger_cadre=world.cadre1, superior=world.unit_head, status="assessed",
                                         total_score=75, grade="pass")
    return village_pledge, cadre_pledge


def test_the_assessment_results_are_posted_as_a_notice_with_the_objection_channel(world, clock):
    from supervision.services.assessment_notice import assessment_results_publish

    _assessed(world)
    disclosure = assessment_results_publish(
        actor=actor_for(world.office.user), year=2026, village=world.v1, posted_on=dt.date(2026, 9, 10),
        display_days=15, objection_channel="镇纪委 0931-1234567")

    assert (disclosure.domain, disclosure.category, disclosure.display_days) == ("party_affairs", "考核结果公示", 15)
    assert "东河村：92分，优秀" in disclosure.content
    assert "镇纪委 0931-1234567" in disclosure.content
    # Each cadre's result is listed only where the township decided so.
    assert "干部甲" not in disclosure.content


def test_the_township_decides_whether_cadres_are_listed(world, clock):
    from supervision.services.assessment_notice import results_lines

    _assessed(world)
    world.township.publish_cadre_assessments = True
    world.township.save()
    assert "干部甲：75分，合格" in results_lines(township=world.township, year=2026)


def test_an_assessment_notice_needs_the_office_results_and_an_objection_channel(world, clock):
    from supervision.services.assessment_notice import assessment_results_publish

    args = {"year": 2026, "village": world.v1, "posted_on": dt.date(2026, 9, 10), "display_days": 10,
            "objection_channel": "党政办"}
    with pytest.raises(NotAllowed):
        assessment_results_publish(actor=actor_for(world.secretary.user), **args)
    with pytest.raises(StateError):
        assessment_results_publish(actor=actor_for(world.office.user), **args)
    _assessed(world)
    with pytest.raises(ValidationError):
        assessment_results_publish(actor=actor_for(world.office.user), **{**args, "objection_channel": " "})
    assert not Disclosure.objects.exists()
