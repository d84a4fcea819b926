"""PIPL: a household's personal data can be exported and erased; statistics stay intact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User

from cadres.models import Household, HouseholdContact, HouseholdTag
from cadres.roles import actor_for
from core.errors import NotAllowed, StateError
from portal.models import AuditEvent
from portal.privacy import ERASED, household_erase, household_export
from supervision.models import Diary, Matter, MatterEvent
from tests import factories as f


@pytest.fixture
def lived(world):  # type: ignore[no-untyped-def]
    """Household h1 (张三) with tags, a note, history, a diary visit and a matter naming him."""
    w = world
    tag = HouseholdTag.objects.get_or_create(slug="party-member", defaults={"name": "党员户"})[0]
    w.h1.note = "张三家住村东头，腿脚不便"
    w.h1.save()
    w.h1.tags.add(tag)
    w.diary = Diary.objects.create(
        township=w.township, author=w.cadre1, date=dt.date(2026, 3, 2), village=w.v1,
        people_met="张三及其老伴", situation="走访张三，反映灌溉渠堵塞。", problems="张三家缺劳力", ideas="组织志愿者",
    )
    w.diary.households.add(w.h1)
    w.other_diary = Diary.objects.create(
        township=w.township, author=w.cadre1, date=dt.date(2026, 3, 3), village=w.v1,
        situation="张三丰来访（另一户，未关联）。",
    )
    w.matter = Matter.objects.create(township=w.township, village=w.v1, household=w.h1, diary=w.diary,
                                     description="张三反映灌溉渠堵塞", raised_by=w.cadre1)
    MatterEvent.objects.create(matter=w.matter, action="register", to_status="registered", note="张三来电")
    return w


def test_export_holds_everything_about_the_household(lived):
    w = lived

    data = household_export(w.h1, actor=actor_for(w.office.user))

    assert data["household"] | {"erased_at": None} == {
        "id": w.h1.pk, "village": "东河村", "group": "", "head_name": "张三", "members": w.h1.members,
        "phone": "13812345678", "note": "张三家住村东头，腿脚不便", "tags": ["党员户"], "is_active": True,
        "erased_at": None,
    }
    assert [c["cadre"] for c in data["contacts"]] == ["干部甲"]
    assert data["contacts"][0]["kind"] == "poor_party_member"
    assert [(d["id"], d["date"], d["situation"]) for d in data["diaries"]] == [
        (w.diary.pk, "2026-03-02", "走访张三，反映灌溉渠堵塞。")]
    assert [(m["id"], m["description"]) for m in data["matters"]] == [(w.matter.pk, "张三反映灌溉渠堵塞")]
    json.dumps(data, ensure_ascii=False)  # plain data, ready to hand over
    event = AuditEvent.objects.get(kind="personal_data")
    assert event.user == w.office.user
    assert event.detail == {"action": "export", "household": w.h1.pk, "diaries": 1, "matters": 1}


def test_erase_blanks_the_personal_data_and_keeps_the_statistics(lived):
    w = lived
    diaries_before = Diary.objects.filter(households=w.h1).count()
    matters_before = Matter.objects.filter(household=w.h1).count()
    contacts_before = HouseholdContact.objects.filter(household=w.h1).count()

    household_erase(household=w.h1, actor=actor_for(w.office.user))

    h1 = Household.objects.get(pk=w.h1.pk)
    assert (h1.head_name, h1.phone, h1.note) == (ERASED, "", "")
    assert h1.head_name == "（已删除）"
    assert list(h1.tags.all()) == []
    assert h1.erased_at is not None
    assert (h1.village_id, h1.members, h1.is_active) == (w.v1.pk, w.h1.members, True)
    assert Diary.objects.filter(households=w.h1).count() == diaries_before == 1
    assert Matter.objects.filter(household=w.h1).count() == matters_before == 1
    assert HouseholdContact.objects.filter(household=w.h1).count() == contacts_before == 1
    assert w.h2.__class__.objects.get(pk=w.h2.pk).head_name == "李四"  # nobody else touched


def test_erase_reaches_the_history_and_the_linked_free_text(lived):
    w = lived

    household_erase(household=w.h1, actor=actor_for(w.office.user))

    history = Household.history.filter(id=w.h1.pk)
    assert history.count() >= 2
    assert set(history.values_list("head_name", "phone", "note")) == {(ERASED, "", "")}
    tag_history = Household.history.model._meta.get_field("historicalhousehold_tags").related_model
    assert not tag_history.objects.filter(household_id=w.h1.pk).exists()
    diary = Diary.objects.get(pk=w.diary.pk)
    assert (diary.people_met, diary.situation, diary.problems) == (
        f"{ERASED}及其老伴", f"走访{ERASED}，反映灌溉渠堵塞。", f"{ERASED}家缺劳力")
    assert not Diary.history.filter(id=w.diary.pk, situation__contains="张三").exists()
    assert Matter.objects.get(pk=w.matter.pk).description == f"{ERASED}反映灌溉渠堵塞"
    assert not Matter.history.filter(id=w.matter.pk, description__contains="张三").exists()
    assert MatterEvent.objects.get(matter=w.matter).note == f"{ERASED}来电"
    # A diary not linked to the household is not rewritten, even if a similar name appears.
    assert Diary.objects.get(pk=w.other_diary.pk).situation == "张三丰来访（另一户，未关联）。"


def test_erase_is_audited_without_the_name(lived):
    w = lived

    household_erase(household=w.h1, actor=actor_for(w.office.user))

    event = AuditEvent.objects.get(kind="personal_data")
    assert event.user == w.office.user
    assert event.detail == {"action": "erase", "household": w.h1.pk, "village": w.v1.pk}
    assert "张三" not in json.dumps(event.detail, ensure_ascii=False)


def test_erasing_twice_is_refused(lived):
    w = lived
    household_erase(household=w.h1, actor=actor_for(w.office.user))

    with pytest.raises(StateError, match="已于"):
        household_erase(household=w.h1, actor=actor_for(w.office.user))

    assert AuditEvent.objects.filter(kind="personal_data").count() == 1


@pytest.mark.parametrize("who", ["cadre1", "secretary", "village1", "reporter"])
def test_only_the_office_may_erase(lived, who):
    w = lived

    with pytest.raises(NotAllowed):
        household_erase(household=w.h1, actor=actor_for(w.users[who]))

    h1 = Household.objects.get(pk=w.h1.pk)
    assert (h1.head_name, h1.phone, h1.erased_at) == ("张三", "13812345678", None)
    assert h1.tags.count() == 1
    assert not AuditEvent.objects.filter(kind="personal_data").exists()


def test_another_townships_office_may_not_erase(lived):
    w = lived
    foreign_office = f.CadreFactory(township=w.other_township, user__username="office2", user__groups=["office"])

    with pytest.raises(NotAllowed):
        household_erase(household=w.h1, actor=actor_for(foreign_office.user))

    assert Household.objects.get(pk=w.h1.pk).head_name == "张三"


def test_admin_actions_export_and_erase_a_household(client, lived):
    w = lived
    chief = User.objects.create_superuser("chief", password="Correct-Horse-42")
    client.force_login(chief)
    url = "/admin/cadres/household/"

    exported = client.post(url, {"action": "export_personal_data", "_selected_action": [w.h1.pk]})
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f'attachment; filename="household-{w.h1.pk}.json"'
    assert json.loads(exported.content)["household"]["head_name"] == "张三"

    confirm = client.post(url, {"action": "erase_personal_data", "_selected_action": [w.h1.pk]})
    assert confirm.status_code == 200
    assert "不可恢复" in confirm.content.decode()
    assert Household.objects.get(pk=w.h1.pk).erased_at is None

    done = client.post(url, {"action": "erase_personal_data", "_selected_action": [w.h1.pk], "confirm": "yes"})
    assert done.status_code == 302
    assert Household.objects.get(pk=w.h1.pk).head_name == ERASED
    kinds = list(AuditEvent.objects.filter(kind__in=["personal_data", "export"]).order_by("id")
                 .values_list("kind", "detail__action"))
    assert kinds == [("personal_data", "export"), ("personal_data", "erase")]
