"""The write path: pyramid, assignments, contacts, quotas, absences and transfers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres import services
from cadres.models import (
    Cadre,
    ExcusedAbsence,
    HouseholdContact,
    Post,
    Transfer,
    VillageAssignment,
)
from cadres.roles import SYSTEM, actor_for
from cadres.selectors import quota_status
from cadres.services import CadreRuleError
from core.errors import StateError
from supervision.models import Matter, MatterEvent
from tests import factories as f

START = dt.date(2026, 1, 1)


# --- the pyramid -----------------------------------------------------------------------------------------------


def test_expected_superior_follows_the_post(world):
    assert services.expected_superior(world.cadre1) == world.unit_head  # staff → unit head
    assert services.expected_superior(world.unit_head) == world.deputy  # unit head → leader in charge
    assert services.expected_superior(world.deputy) == world.secretary  # deputy → top leader
    assert services.expected_superior(world.inspector) == world.secretary
    assert services.expected_superior(world.secretary) is None
    assert services.expected_superior(world.head) is None
    assert services.expected_superior(world.village1) is None  # villages answer to the township government
    assert services.village_superior(world.v1) == world.head  # the township head countersigns
    assert services.unit_superior(world.unit) == world.deputy


def test_wrong_superior_is_refused_with_the_rule(world):
    world.cadre1.reports_to = world.secretary
    with pytest.raises(CadreRuleError) as exc:
        services.cadre_save(cadre=world.cadre1, actor=SYSTEM)
    assert exc.value.field == "reports_to"
    assert exc.value.message == "按职务，干部甲（机关干部）的上级应为站长（站所负责人）：机关干部向所在站办所负责人负责。"
    world.cadre1.refresh_from_db()
    assert world.cadre1.reports_to == world.unit_head


def test_village_cadre_with_a_superior_is_refused(world):
    world.village1.reports_to = world.head
    with pytest.raises(CadreRuleError, match=r"村干部不在镇机关的层级中.*「上级」应留空"):
        services.cadre_save(cadre=world.village1, actor=SYSTEM)


def test_empty_superior_is_filled_in_from_the_post(world):
    cadre = Cadre(township=world.township, name="新干部", post=Post.STAFF, unit=world.unit)
    services.cadre_save(cadre=cadre, actor=SYSTEM)
    assert cadre.reports_to == world.unit_head
    assert cadre.history.count() == 1


def test_staff_without_a_unit_is_refused(world):
    with pytest.raises(CadreRuleError, match="必须选择所在站办所") as exc:
        services.cadre_save(cadre=Cadre(township=world.township, name="无单位", post=Post.STAFF), actor=SYSTEM)
    assert exc.value.field == "unit"
    assert not Cadre.objects.filter(name="无单位").exists()


def test_village_post_needs_a_village_in_the_same_township(world):
    with pytest.raises(CadreRuleError, match="村干部必须选择所在村"):
        services.cadre_save(cadre=Cadre(township=world.township, name="村委", post=Post.VILLAGE_DIRECTOR), actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="所在村不属于该干部的乡镇"):
        services.cadre_save(cadre=Cadre(township=world.township, name="村委", post=Post.VILLAGE_DIRECTOR,
                                        village=world.v_other), actor=SYSTEM)


def test_new_unit_head_realigns_the_staff(world):
    services.unit_save(unit=_with(world.unit, head=world.cadre2), actor=SYSTEM)
    world.cadre1.refresh_from_db()
    world.cadre2.refresh_from_db()
    assert world.cadre1.reports_to == world.cadre2
    assert world.cadre2.reports_to == world.deputy  # the new head answers to the leader in charge


def test_leader_in_charge_must_be_a_leader(world):
    with pytest.raises(CadreRuleError, match="分管领导应为镇领导班子成员") as exc:
        services.unit_save(unit=_with(world.unit2, leader_in_charge=world.cadre1), actor=SYSTEM)
    assert exc.value.field == "leader_in_charge"


def test_align_superiors_fixes_stale_links(world):
    Cadre.objects.filter(pk=world.deputy.pk).update(reports_to=world.head)  # world's deputy is stale
    changed = services.cadres_align_superiors(cadres=[world.deputy, world.cadre1], actor=SYSTEM)
    world.deputy.refresh_from_db()
    assert changed == 1
    assert world.deputy.reports_to == world.secretary


def _with(obj, **changes):  # type: ignore[no-untyped-def]
    for key, value in changes.items():
        setattr(obj, key, value)
    return obj


# --- assignments -------------------------------------------------------------------------------------------------


def test_second_leading_cadre_for_a_village_is_refused(world):
    with pytest.raises(CadreRuleError) as exc:
        services.assignment_create(cadre=world.head, village=world.v1, role=VillageAssignment.Role.LEADER, start=START,
            actor=SYSTEM)
    assert exc.value.message == (
        "「东河村」已有包村领导副镇长（自2026年1月1日起）。每村只能有一名包村领导，请先结束其包村，或用干部调动移交。"
    )
    assert VillageAssignment.objects.filter(village=world.v1, role="leader").count() == 1


def test_leading_cadre_after_the_previous_one_ended(world):
    old = VillageAssignment.objects.get(village=world.v1, role="leader")
    services.assignment_end(assignment=old, end=timezone.localdate(), actor=SYSTEM)
    new = services.assignment_create(cadre=world.head, village=world.v1, role="leader", start=timezone.localdate(), actor=SYSTEM)
    assert new.cadre == world.head
    assert old.history.count() == 2  # created, ended


def test_assignment_rules(world):
    with pytest.raises(CadreRuleError, match="不能重复登记"):
        services.assignment_create(cadre=world.cadre1, village=world.v1, start=START, actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="村干部不能登记包村"):
        services.assignment_create(cadre=world.village1, village=world.v2, start=START, actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="只能包联本镇的村"):
        services.assignment_create(cadre=world.cadre1, village=world.v_other, start=START, actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="结束日期不能早于开始日期"):
        services.assignment_create(cadre=world.cadre1, village=world.v2, start=START, end=START - dt.timedelta(days=1),
                                   actor=SYSTEM)


def test_ending_an_assignment_twice_or_in_the_future_is_refused(world):
    row = VillageAssignment.objects.get(cadre=world.cadre1)
    with pytest.raises(CadreRuleError, match="不能晚于今天"):
        services.assignment_end(assignment=row, end=timezone.localdate() + dt.timedelta(days=1), actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="不能早于开始日期（2026年1月1日）"):
        services.assignment_end(assignment=row, end=dt.date(2025, 12, 31), actor=SYSTEM)
    services.assignment_end(assignment=row, end=timezone.localdate(), actor=SYSTEM)
    with pytest.raises(StateError, match="该包村已于"):
        services.assignment_end(assignment=row, end=timezone.localdate(), actor=SYSTEM)


# --- contacts and quotas ---------------------------------------------------------------------------------------------


def test_contact_rules(world):
    with pytest.raises(CadreRuleError, match="不能重复登记"):
        services.contact_create(cadre=world.cadre1, household=world.h1, start=START, actor=SYSTEM)
    with pytest.raises(CadreRuleError, match="只能联系本镇的农户"):
        services.contact_create(cadre=world.cadre1, household=world.h_other, start=START, actor=SYSTEM)
    world.h3.erased_at = timezone.now()
    world.h3.save()
    with pytest.raises(CadreRuleError, match="个人信息已按申请删除"):
        services.contact_create(cadre=world.cadre1, household=world.h3, start=START, actor=SYSTEM)
    assert HouseholdContact.objects.filter(cadre=world.cadre1).count() == 1


def test_quota_shortfall_follows_the_post(world):
    # A deputy (leading cadre) must link 1 poor party member + 10 farmers and has none.
    deputy = quota_status(world.deputy)
    assert (deputy.required_poor, deputy.required_farmer, deputy.shortfall) == (1, 10, 11)
    # Staff: 0 + 5; cadre1's one poor party-member household does not count as a farmer.
    staff = quota_status(world.cadre1)
    assert (staff.poor, staff.farmer, staff.short_farmer) == (1, 0, 5)
    for i in range(4):
        services.contact_create(cadre=world.cadre1, household=f.HouseholdFactory(village=world.v1), start=START,
                                kind="assisted" if i == 0 else "farmer", actor=SYSTEM)
    assert quota_status(world.cadre1).shortfall == 1
    services.contact_create(cadre=world.cadre1, household=f.HouseholdFactory(village=world.v1), start=START, actor=SYSTEM)
    assert not quota_status(world.cadre1).is_short
    # A contact that ended yesterday no longer counts.
    services.contact_end(contact=HouseholdContact.objects.filter(cadre=world.cadre1, kind="farmer").first(),
                         end=timezone.localdate() - dt.timedelta(days=1), actor=SYSTEM)
    assert quota_status(world.cadre1).shortfall == 1


def test_village_cadres_have_no_quota(world):
    assert not quota_status(world.village1).has_quota


# --- absences -------------------------------------------------------------------------------------------------------------


def test_overlapping_absence_is_refused(world):
    services.absence_save(absence=ExcusedAbsence(cadre=world.cadre1, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4)),
                          actor=actor_for(world.office.user))
    with pytest.raises(CadreRuleError, match="与已登记的请假（2026年3月2日至2026年3月4日）重叠"):
        services.absence_save(absence=ExcusedAbsence(cadre=world.cadre1, start=dt.date(2026, 3, 4),
                                                     end=dt.date(2026, 3, 6)), actor=SYSTEM)
    assert ExcusedAbsence.objects.get().recorded_by == world.office.user


# --- transfers -------------------------------------------------------------------------------------------------------------


def _matter(world, status, assignee):  # type: ignore[no-untyped-def]
    return Matter.objects.create(township=world.township, village=world.v1, description="路灯不亮", status=status,
                                 assignee=assignee, unit=world.unit)


def test_transfer_hands_everything_to_the_successor_in_one_step(world):
    today = timezone.localdate()
    open_matter = _matter(world, Matter.Status.IN_PROGRESS, world.cadre1)
    closed_matter = _matter(world, Matter.Status.CLOSED, world.cadre1)

    record = services.cadre_transfer(cadre=world.cadre1, successor=world.cadre3, date=today, actor=actor_for(world.office.user))

    assert record.handed_over == {"contacts": 1, "assignments": 1, "matters": 1, "units": 0, "realigned": 0}
    assert (record.from_post, record.to_post, record.by) == (Post.STAFF, "", world.office.user)
    world.cadre1.refresh_from_db()
    assert not world.cadre1.is_active
    # History kept: the old rows end on the day, the successor's start on it.
    old_contact = HouseholdContact.objects.get(cadre=world.cadre1)
    assert old_contact.end == today
    new_contact = HouseholdContact.objects.get(cadre=world.cadre3, household=world.h1)
    assert (new_contact.kind, new_contact.start, new_contact.end) == ("poor_party_member", today, None)
    assert VillageAssignment.objects.get(cadre=world.cadre1).end == today
    assert VillageAssignment.objects.filter(cadre=world.cadre3, village=world.v1, end__isnull=True).count() == 1
    open_matter.refresh_from_db()
    closed_matter.refresh_from_db()
    assert (open_matter.assignee, open_matter.unit) == (world.cadre3, world.unit2)
    assert closed_matter.assignee == world.cadre1
    assert MatterEvent.objects.get(matter=open_matter).note == "干部调动：干部甲 移交 干部丙"
    assert Transfer.objects.count() == 1


def test_transfer_of_a_leading_cadre_moves_the_leadership(world):
    today = timezone.localdate()
    services.cadre_transfer(cadre=world.deputy, successor=world.head, date=today, to_post=Post.DEPUTY_SECRETARY, actor=SYSTEM)
    leader = VillageAssignment.objects.get(village=world.v1, role="leader", end__isnull=True)
    assert leader.cadre == world.head
    world.unit.refresh_from_db()
    world.deputy.refresh_from_db()
    assert world.unit.leader_in_charge == world.head
    assert (world.deputy.post, world.deputy.is_active, world.deputy.reports_to) == (
        Post.DEPUTY_SECRETARY, True, world.secretary)


def test_transfer_of_a_unit_head_makes_the_successor_head(world):
    services.cadre_transfer(cadre=world.unit_head, successor=world.cadre1, date=timezone.localdate(), actor=SYSTEM)
    world.unit.refresh_from_db()
    world.cadre1.refresh_from_db()
    world.cadre2.refresh_from_db()
    assert world.unit.head == world.cadre1
    assert (world.cadre1.post, world.cadre1.reports_to) == (Post.UNIT_HEAD, world.deputy)
    assert world.cadre2.reports_to == world.cadre1


@pytest.mark.parametrize(
    ("successor", "day", "message"),
    [
        ("cadre1", 0, "接替人不能是本人。"),
        ("outsider", 0, "接替人必须是同一乡镇的干部。"),
        ("village1", 0, "接替人与调出干部的层级不同（镇干部/村干部）。"),
        ("cadre2", 1, "调动日期不能晚于今天。"),
        ("cadre2", -10000, "调动日期早于该干部现有联系户或包村的开始日期（2026年1月1日）。"),
    ],
)
def test_refused_transfer_changes_nothing(world, successor, day, message):
    before = (HouseholdContact.objects.count(), VillageAssignment.objects.count(), Transfer.objects.count())
    with pytest.raises(CadreRuleError) as exc:
        services.cadre_transfer(cadre=world.cadre1, successor=getattr(world, successor),
                                date=timezone.localdate() + dt.timedelta(days=day), actor=SYSTEM)
    assert exc.value.message == message
    assert (HouseholdContact.objects.count(), VillageAssignment.objects.count(), Transfer.objects.count()) == before
    world.cadre1.refresh_from_db()
    assert world.cadre1.is_active


def test_leader_in_charge_cannot_hand_units_to_plain_staff(world):
    with pytest.raises(CadreRuleError, match="分管站办所，接替人须是镇领导班子成员"):
        services.cadre_transfer(cadre=world.deputy, successor=world.cadre3, date=timezone.localdate(), actor=SYSTEM)


@pytest.mark.postgres
def test_two_offices_naming_a_leader_at_once_get_one_leader_and_one_clear_refusal(transactional_db):
    import threading
    import time

    from django.db import connection, transaction

    township = f.TownshipFactory()
    village = f.VillageFactory(township=township, name="东河村")
    first, second = (f.CadreFactory(township=township, post=Post.DEPUTY_HEAD, user=None) for _ in range(2))
    holding = threading.Event()
    refusals: list[str] = []

    def name_first() -> None:
        with transaction.atomic():
            services.assignment_create(cadre=first, village=village, role="leader", start=START, actor=SYSTEM)
            holding.set()
            time.sleep(0.5)  # the second office asks while this transaction holds the village
        connection.close()

    def name_second() -> None:
        holding.wait(5)
        try:
            services.assignment_create(cadre=second, village=village, role="leader", start=START, actor=SYSTEM)
        except CadreRuleError as exc:
            refusals.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=name_first), threading.Thread(target=name_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert list(VillageAssignment.objects.filter(village=village).values_list("cadre", flat=True)) == [first.pk]
    assert len(refusals) == 1 and refusals[0].startswith("「东河村」已有包村领导")
