"""Matters: the life cycle as services — who may act, from which state, and what they leave behind."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from PIL import Image

from cadres.models import ExcusedAbsence
from cadres.roles import SYSTEM, actor_for
from core.errors import NotAllowed, StateError
from core.models import Notification
from supervision.models import DeadlineRule, Matter, MatterEvent
from supervision.selectors.matters import light_of, matter_list, matters_for
from supervision.services import matters as svc
from supervision.services.diaries import diary_reminders_send
from tests import factories as f


def actor(world, who):  # type: ignore[no-untyped-def]
    return actor_for(world.users[who])


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


_DAYS_BACK = itertools.count()


def raised(world, **kwargs):  # type: ignore[no-untyped-def]
    day = timezone.localdate() - dt.timedelta(days=next(_DAYS_BACK))
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="路面塌陷",
                           date=day)
    return svc.matter_create(actor=actor(world, "cadre1"), diary=diary, **kwargs)


def to_state(world, status):  # type: ignore[no-untyped-def]
    matter = raised(world)
    if status == "registered":
        return matter
    matter = svc.matter_assign(actor=actor(world, "office"), matter=matter, unit=world.unit, assignee=world.cadre2)
    if status == "assigned":
        return matter
    matter = svc.matter_start(actor=actor(world, "cadre2"), matter=matter)
    if status == "in_progress":
        return matter
    matter = svc.matter_resolve(actor=actor(world, "cadre2"), matter=matter, resolution="已修复")
    if status == "resolved":
        return matter
    matter = svc.matter_revisit(actor=actor(world, "cadre1"), matter=matter, satisfaction="satisfied")
    if status == "revisited":
        return matter
    return svc.matter_close(actor=actor(world, "office"), matter=matter)


def snapshot(matter: Matter) -> tuple:
    matter.refresh_from_db()
    return (matter.status, matter.unit_id, matter.assignee_id, matter.deadline, matter.resolution,
            matter.satisfaction, matter.closed_at, matter.events.count())


# --- registering ------------------------------------------------------------------------------------


def test_matter_raised_from_a_diary_copies_village_category_and_problem(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matter = raised(world)
    today = timezone.localdate()
    assert (matter.status, matter.source, matter.village, matter.category, matter.description, matter.raised_by,
            matter.township) == ("registered", "diary", world.v1, "infrastructure", "路面塌陷", world.cadre1,
                                 world.township)
    assert matter.deadline == today + dt.timedelta(days=30)  # the infrastructure rule of the defaults
    assert list(matter.events.values_list("action", "to_status")) == [("create", "registered")]
    assert Notification.objects.get(recipient=world.office.user).url == f"/matters/{matter.pk}/"


def test_deadline_defaults_to_the_setting_without_a_rule(world, settings):
    DeadlineRule.objects.filter(category="policy").delete()
    settings.PORTAL = {**settings.PORTAL, "MATTER_DEFAULT_DEADLINE_DAYS": 7}
    matter = svc.matter_create(actor=actor(world, "office"), village=world.v2, category="policy",
                               description="补贴政策不清", source="hotline", external_ref="12345-001")
    assert (matter.source, matter.external_ref, matter.raised_by) == ("hotline", "12345-001", world.office)
    assert matter.deadline == timezone.localdate() + dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"village": "other"}, "village", "所选村不属于您所在的乡镇。"),
        ({"household": "h2"}, "household", "所选农户不属于东河村。"),
        ({"description": "字" * 5001}, "description", "内容过长：最多 5000 字，当前 5001 字。"),
        ({"description": " "}, "description", "请填写问题描述。"),
        ({"category": "gossip"}, "category", "请选择正确的类别。"),
    ],
)
def test_bad_matter_input_is_refused_and_nothing_stored(world, kwargs, field, message):
    values = {"village": world.v1, "category": "livelihood", "description": "问题", "source": "villager"}
    values.update(kwargs)
    values["village"] = world.v_other if values["village"] == "other" else values["village"]
    if values.get("household") == "h2":
        values["household"] = world.h2
    with pytest.raises(ValidationError) as exc:
        svc.matter_create(actor=actor(world, "cadre1"), **values)
    assert exc.value.message_dict == {field: [message]}
    assert Matter.objects.count() == 0


def test_reporter_and_inspector_do_not_register_ordinary_matters(world):
    for who in ("reporter", "inspector"):
        with pytest.raises(NotAllowed):
            svc.matter_create(actor=actor(world, who), village=world.v1, description="x", source="villager")
    finding = svc.matter_create(actor=actor(world, "inspector"), village=world.v1, description="材料重复报送",
                                source="inspection", external_ref="督查〔2026〕3号")
    assert Matter.objects.get() == finding


def test_village_cadre_registers_only_for_own_village(world):
    with pytest.raises(ValidationError):
        svc.matter_create(actor=actor(world, "village1"), village=world.v2, description="x", source="villager")
    matter = svc.matter_create(actor=actor(world, "village1"), village=world.v1, description="x", source="villager")
    assert matter.raised_by == world.village1


def test_other_cadre_cannot_raise_from_someone_elses_diary(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, problems="x")
    with pytest.raises(NotAllowed):
        svc.matter_create(actor=actor(world, "cadre3"), diary=diary)
    assert svc.matter_create(actor=actor(world, "unit_head"), diary=diary).raised_by == world.unit_head


# --- the path, step by step ----------------------------------------------------------------------------


def test_whole_path_from_registration_to_close(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matter = to_state(world, "closed")
    matter.refresh_from_db()
    assert (matter.status, matter.unit, matter.assignee, matter.resolution, matter.satisfaction, matter.closed_by) == (
        "closed", world.unit, world.cadre2, "已修复", "satisfied", world.office.user)
    assert list(matter.events.values_list("action", "from_status", "to_status")) == [
        ("create", "", "registered"), ("assign", "registered", "assigned"), ("start", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"), ("revisit", "resolved", "revisited"), ("close", "revisited", "closed"),
    ]
    kinds = set(Notification.objects.filter(recipient=world.cadre2.user).values_list("kind", flat=True))
    assert kinds == {"matter_assigned", "matter_updated"}
    assert Notification.objects.filter(recipient=world.cadre1.user, title__startswith="事项已办结，请回访").count() == 1


def test_unsatisfied_revisit_reopens_the_matter(world, django_capture_on_commit_callbacks):
    matter = to_state(world, "resolved")
    with django_capture_on_commit_callbacks(execute=True):
        matter = svc.matter_revisit(actor=actor(world, "cadre1"), matter=matter, satisfaction="unsatisfied",
                                    note="路面仍有积水")
    assert (matter.status, matter.satisfaction) == ("in_progress", "unsatisfied")
    assert matter.events.last().action == "return"
    assert Notification.objects.filter(recipient=world.cadre2.user, title__startswith="回访不满意").count() == 1
    matter = svc.matter_resolve(actor=actor(world, "cadre2"), matter=matter, resolution="重新铺设")
    matter = svc.matter_revisit(actor=actor(world, "office"), matter=matter, satisfaction="basically_satisfied")
    assert matter.status == "revisited"


def test_unit_head_assigns_and_reassigns_within_own_unit_only(world):
    matter = raised(world)
    matter = svc.matter_assign(actor=actor(world, "unit_head"), matter=matter, unit=world.unit, assignee=world.cadre1)
    matter = svc.matter_assign(actor=actor(world, "unit_head"), matter=matter, unit=world.unit, assignee=world.cadre2)
    assert (matter.status, matter.assignee) == ("assigned", world.cadre2)
    assert matter.events.last().action == "reassign"
    with pytest.raises(NotAllowed):
        svc.matter_assign(actor=actor(world, "unit_head"), matter=matter, unit=world.unit2, assignee=world.cadre3)
    other = svc.matter_assign(actor=actor(world, "secretary"), matter=raised(world), unit=world.unit2)
    with pytest.raises(NotAllowed):
        svc.matter_assign(actor=actor(world, "unit_head"), matter=other, unit=world.unit, assignee=world.cadre1)
    assert Matter.objects.get(pk=other.pk).unit == world.unit2


def test_reassigning_a_matter_in_progress_needs_a_new_start(world):
    matter = to_state(world, "in_progress")
    matter = svc.matter_assign(actor=actor(world, "office"), matter=matter, unit=world.unit, assignee=world.cadre1)
    assert (matter.status, matter.started_at) == ("assigned", None)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"assignee": "cadre3"}, "assignee", "承办人必须是承办单位的在岗干部。"),
        ({"deadline": "past"}, "deadline", "办理期限不能早于今天。"),
        ({"unit": "other"}, "unit", "承办单位不属于本乡镇。"),
    ],
)
def test_bad_assignment_is_refused_and_nothing_changes(world, kwargs, field, message):
    matter = raised(world)
    before = snapshot(matter)
    values = {"unit": world.unit, "assignee": world.cadre1}
    if kwargs.get("assignee") == "cadre3":
        values["assignee"] = world.cadre3
    if kwargs.get("deadline") == "past":
        values["deadline"] = timezone.localdate() - dt.timedelta(days=1)
    if kwargs.get("unit") == "other":
        values["unit"], values["assignee"] = f.UnitFactory(township=world.other_township), None
    with pytest.raises(ValidationError) as exc:
        svc.matter_assign(actor=actor(world, "office"), matter=matter, **values)
    assert exc.value.message_dict == {field: [message]}
    assert snapshot(matter) == before


ACTIONS = {
    "assign": lambda w, m: svc.matter_assign(actor=actor(w, "office"), matter=m, unit=w.unit, assignee=w.cadre2),
    "start": lambda w, m: svc.matter_start(actor=actor(w, "cadre2"), matter=m),
    "resolve": lambda w, m: svc.matter_resolve(actor=actor(w, "cadre2"), matter=m, resolution="办好了"),
    "revisit": lambda w, m: svc.matter_revisit(actor=actor(w, "cadre1"), matter=m, satisfaction="satisfied"),
    "close": lambda w, m: svc.matter_close(actor=actor(w, "office"), matter=m),
}
LEGAL = {
    "registered": {"assign"}, "assigned": {"assign", "start"}, "in_progress": {"assign", "resolve"},
    "resolved": {"revisit"}, "revisited": {"close"}, "closed": set(),
}
ILLEGAL = [(status, action) for status, legal in LEGAL.items() for action in ACTIONS if action not in legal]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_reason_and_changes_nothing(world, status, action):
    matter = to_state(world, status)
    if status == "registered" and action in ("start", "resolve"):
        matter.assignee = world.cadre2  # so the refusal is about the state, not the person
        matter.save()
    before = snapshot(matter)
    with pytest.raises(StateError) as exc:
        ACTIONS[action](world, matter)
    assert "事项" in exc.value.message or "不能" in exc.value.message
    assert snapshot(matter) == before


WRONG_PEOPLE = [
    ("registered", "assign", "cadre1"), ("registered", "assign", "deputy"), ("registered", "assign", "reporter"),
    ("assigned", "start", "cadre1"), ("assigned", "start", "office"), ("assigned", "start", "unit_head_other"),
    ("in_progress", "resolve", "cadre3"), ("resolved", "revisit", "cadre2"), ("resolved", "revisit", "secretary"),
    ("revisited", "close", "secretary"), ("revisited", "close", "cadre1"),
]


@pytest.mark.parametrize(("status", "action", "who"), WRONG_PEOPLE)
def test_the_wrong_person_is_refused_and_nothing_changes(world, status, action, who):
    matter = to_state(world, status)
    if who == "unit_head_other":
        who = "cadre3"
        world.unit2.head = world.cadre3
        world.unit2.save()
    before = snapshot(matter)
    calls = {
        "assign": lambda a: svc.matter_assign(actor=a, matter=matter, unit=world.unit, assignee=world.cadre1),
        "start": lambda a: svc.matter_start(actor=a, matter=matter),
        "resolve": lambda a: svc.matter_resolve(actor=a, matter=matter, resolution="x"),
        "revisit": lambda a: svc.matter_revisit(actor=a, matter=matter, satisfaction="satisfied"),
        "close": lambda a: svc.matter_close(actor=a, matter=matter),
    }
    with pytest.raises(NotAllowed):
        calls[action](actor_for(world.users[who]))
    assert snapshot(matter) == before


def test_unit_head_may_start_and_resolve_for_the_unit(world):
    matter = to_state(world, "assigned")
    matter = svc.matter_start(actor=actor(world, "unit_head"), matter=matter)
    matter = svc.matter_resolve(actor=actor(world, "unit_head"), matter=matter, resolution="站长办结")
    assert matter.status == "resolved"


def test_resolution_with_image_evidence_is_stored_clean(world):
    matter = to_state(world, "in_progress")
    matter = svc.matter_resolve(actor=actor(world, "cadre2"), matter=matter, resolution="已修复", evidence=png())
    # Re-encoded (metadata dropped): an opaque PNG becomes a JPEG.
    assert matter.evidence.name.startswith("evidence/") and matter.evidence.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("photo.png", b"not an image at all" * 10, content_type="image/png"), "文件类型不符"),
        (SimpleUploadedFile("run.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"), "文件类型不符"),
        (SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"), "文件为空"),
    ],
)
def test_fake_evidence_is_refused_and_nothing_changes(world, upload, message):
    matter = to_state(world, "in_progress")
    before = snapshot(matter)
    with pytest.raises(ValidationError) as exc:
        svc.matter_resolve(actor=actor(world, "cadre2"), matter=matter, resolution="已修复", evidence=upload)
    assert message in exc.value.message_dict["evidence"][0]
    assert snapshot(matter) == before and not Matter.objects.get(pk=matter.pk).evidence


# --- scope and lights --------------------------------------------------------------------------------------

SEES_V1_MATTER = {"secretary", "head", "office", "inspector", "reporter", "unit_head", "deputy", "cadre1", "cadre2",
                  "village1"}


def test_who_sees_a_matter(world):
    matter = to_state(world, "assigned")  # v1, raised by cadre1, assigned to cadre2 of the unit
    for name, user in world.users.items():
        assert matters_for(actor_for(user)).filter(pk=matter.pk).exists() == (name in SEES_V1_MATTER), name


def test_a_matter_elsewhere_stays_with_its_people(world):
    matter = svc.matter_create(actor=actor(world, "cadre3"), village=world.v3, description="x", source="villager")
    visible = {name for name, user in world.users.items() if matters_for(actor_for(user)).filter(pk=matter.pk).exists()}
    assert visible == {"secretary", "head", "office", "inspector", "reporter", "cadre3"}


def test_deadline_lights(world):
    today = timezone.localdate()
    cases = {"red": today - dt.timedelta(days=1), "yellow": today + dt.timedelta(days=3),
             "green": today + dt.timedelta(days=4)}
    made = {light: f.MatterFactory(village=world.v1, deadline=day, status="assigned") for light, day in cases.items()}
    closed = f.MatterFactory(village=world.v1, deadline=today - dt.timedelta(days=9), status="closed")
    lights = dict(matter_list(actor(world, "office")).values_list("pk", "light"))
    assert {light: lights[m.pk] for light, m in made.items()} == {"red": "red", "yellow": "yellow", "green": "green"}
    assert lights[closed.pk] == "" and light_of(closed) == ""
    assert {light: light_of(m) for light, m in made.items()} == {"red": "red", "yellow": "yellow", "green": "green"}


# --- the daily job's services ---------------------------------------------------------------------------


def test_overdue_matter_escalates_once_a_day_to_unit_head_and_leader_in_charge(world):
    today = timezone.localdate()
    matter = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre2, status="in_progress",
                             deadline=today - dt.timedelta(days=2))
    f.MatterFactory(village=world.v1, unit=world.unit, status="closed", deadline=today - dt.timedelta(days=2))
    assert svc.matters_escalate_overdue(today=today, actor=SYSTEM) == 1
    assert svc.matters_escalate_overdue(today=today, actor=SYSTEM) == 0
    notes = Notification.objects.filter(kind="matter_overdue")
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["cadre2", "deputy", "unithead"]
    assert notes.order_by("id").first().recipient.username == "cadre2"
    assert notes.order_by("id").first().title == "督办：1 件事项已逾期，最长 2 天"
    matter.refresh_from_db()
    assert matter.escalated_on == today
    assert MatterEvent.objects.filter(matter=matter, action="escalate").count() == 1
    assert svc.matters_escalate_overdue(today=today + dt.timedelta(days=1), actor=SYSTEM) == 1
    assert notes.count() == 6


def test_overdue_unassigned_matter_goes_to_the_office(world):
    f.MatterFactory(village=world.v1, status="registered", deadline=timezone.localdate() - dt.timedelta(days=1))
    svc.matters_escalate_overdue(actor=SYSTEM)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["office"]


def test_diary_reminder_goes_to_cadres_behind_once(world):
    wed = dt.date(2026, 11, 25)
    everyone = [world.secretary, world.head, world.deputy, world.inspector, world.office, world.unit_head,
                world.cadre2, world.cadre3]
    for cadre in everyone:
        for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 24)):
            f.DiaryFactory(author=cadre, village=world.v1, date=day)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 24)):
        f.DiaryFactory(author=world.outsider, village=world.v_other, date=day)
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 24))
    ExcusedAbsence.objects.create(cadre=world.cadre3, start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 20))
    assert diary_reminders_send(today=wed, actor=SYSTEM) == 1
    assert diary_reminders_send(today=wed, actor=SYSTEM) == 0
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.url) == (world.cadre1.user, "diary_reminder", "/diaries/new/")
    assert "11月23日" in note.body


def test_the_daily_job_is_scheduled_at_half_past_seven_shanghai_time(db):
    task = PeriodicTask.objects.get(task="supervision.daily")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone), task.enabled) == (
        "7", "30", "Asia/Shanghai", True)


def test_run_daily_job_command_prints_a_summary_and_is_idempotent(world):
    from io import StringIO

    from django.core.management import call_command

    f.MatterFactory(village=world.v1, unit=world.unit, status="assigned", deadline=dt.date(2026, 11, 20))
    out = StringIO()
    call_command("run_daily_job", "--date", "2026-11-25", stdout=out)
    assert "督办逾期事项 1 件" in out.getvalue()
    again = StringIO()
    call_command("run_daily_job", "--date", "2026-11-25", stdout=again)
    assert "督办逾期事项 0 件，提醒补写日记 0 人" in again.getvalue()
    assert Notification.objects.filter(kind="matter_overdue").count() == 2


def test_a_return_without_a_named_assignee_goes_to_the_unit_head(world, django_capture_on_commit_callbacks):
    # given a matter assigned to the unit with nobody named, resolved by the unit's head
    matter = svc.matter_assign(actor=actor(world, "office"), matter=raised(world), unit=world.unit)
    matter = svc.matter_start(actor=actor(world, "unit_head"), matter=matter)
    matter = svc.matter_resolve(actor=actor(world, "unit_head"), matter=matter, resolution="已清理")
    # when the cadre who raised it is not satisfied
    with django_capture_on_commit_callbacks(execute=True):
        svc.matter_revisit(actor=actor(world, "cadre1"), matter=matter, satisfaction="unsatisfied", note="仍未清理")
    # then the unit head is told it came back
    assert Notification.objects.filter(recipient=world.unit.head.user, title__startswith="回访不满意").count() == 1
