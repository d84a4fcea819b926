"""The one service contract (docs/architecture.md): every write service takes `actor` and checks,
itself, who may do this and in which township; callers add nothing. Each service below is called
as a plain cadre of the township and as the office of the other township: both are refused with
NotAllowed and nothing is written. SYSTEM (jobs, demo, commands) is never a request's actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Permission
from django.urls import reverse

from bulletins.services import bulletin_compile
from cadres import services as cadres_svc
from cadres.models import CalendarDay, ExcusedAbsence, Training, VillageAssignment
from cadres.roles import SYSTEM, Actor, actor_for
from cadres.services import records
from core.errors import NotAllowed
from supervision.models import DeadlineRule
from supervision.services import diaries as diary_svc
from supervision.services import disclosures as disclosure_svc
from supervision.services import inspections as inspection_svc
from supervision.services import matters as matter_svc
from supervision.services import plans as plan_svc
from supervision.services import pledges as pledge_svc
from tests import factories as f
from tests.helpers import api_client, page_client

DAY = dt.date(2026, 3, 2)


def _assignment(w: Any) -> VillageAssignment:
    return cadres_svc.assignment_create(cadre=w.cadre1, village=w.v2, start=DAY, actor=SYSTEM)


def _contact(w: Any) -> Any:
    return cadres_svc.contact_create(cadre=w.cadre1, household=w.h2, start=DAY, actor=SYSTEM)


def _renamed(obj: Any, **changes: Any) -> Any:
    for key, value in changes.items():
        setattr(obj, key, value)
    return obj


# name → the call to make, prepared beforehand (what it needs is made first, by the system); the
# test adds only the actor.
SERVICES: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "cadres.village_save": lambda w: partial(cadres_svc.village_save, village=_renamed(w.v1, name="改名村")),
    "cadres.household_save": lambda w: partial(cadres_svc.household_save, household=_renamed(w.h1, head_name="王")),
    "cadres.training_save": lambda w: partial(cadres_svc.training_save,
                                              training=Training(township=w.township, title="培训", date=DAY)),
    "cadres.cadre_save": lambda w: partial(cadres_svc.cadre_save, cadre=_renamed(w.cadre2, name="改名")),
    "cadres.unit_save": lambda w: partial(cadres_svc.unit_save, unit=_renamed(w.unit2, name="改名所")),
    "cadres.cadres_align_superiors": lambda w: partial(cadres_svc.cadres_align_superiors, cadres=[w.cadre3]),
    "cadres.assignment_create": lambda w: partial(cadres_svc.assignment_create, cadre=w.cadre1, village=w.v3,
                                                  start=DAY),
    "cadres.assignment_end": lambda w: partial(cadres_svc.assignment_end, assignment=_assignment(w), end=DAY),
    "cadres.assignment_update_duties": lambda w: partial(cadres_svc.assignment_update_duties,
                                                         assignment=_assignment(w), duties="新职责"),
    "cadres.contact_create": lambda w: partial(cadres_svc.contact_create, cadre=w.cadre1, household=w.h3, start=DAY),
    "cadres.contact_end": lambda w: partial(cadres_svc.contact_end, contact=_contact(w), end=DAY),
    "cadres.contact_update_plan": lambda w: partial(cadres_svc.contact_update_plan, contact=_contact(w),
                                                    help_plan="帮扶"),
    "cadres.absence_save": lambda w: partial(cadres_svc.absence_save,
                                             absence=ExcusedAbsence(cadre=w.cadre1, start=DAY, end=DAY)),
    "cadres.cadre_transfer": lambda w: partial(cadres_svc.cadre_transfer, cadre=w.cadre1, successor=w.cadre2,
                                               date=DAY),
    "cadres.record_save": lambda w: partial(records.record_save, township_id=w.township.pk,
                                            record=CalendarDay(township=w.township, date=DAY, name="调休")),
    "supervision.pledge_create": lambda w: partial(pledge_svc.pledge_create, township_id=w.township.pk, year=2026,
                                                   level="village", pledger=w.v1),
    "supervision.pledge_issue_from_template": lambda w: partial(
        pledge_svc.pledge_issue_from_template, template=f.pledge_template(w.township, "village"), pledgers=[w.v1]),
    "supervision.inspection_create": lambda w: partial(inspection_svc.inspection_create, date=DAY, kind="announced",
                                                       title="督查", subject=w.v1),
    "supervision.disclosure_create": lambda w: partial(
        disclosure_svc.disclosure_create, village=w.v1, title="公开", content="内容", period_start=DAY,
        period_end=DAY, posted_on=DAY),
    "supervision.matters_hand_over": lambda w: partial(matter_svc.matters_hand_over, cadre=w.cadre1,
                                                       successor=w.cadre2),
    # The township-wide sweeps are the system's jobs: no person runs them.
    "supervision.matters_escalate_overdue": lambda w: partial(matter_svc.matters_escalate_overdue),
    "supervision.milestones_escalate_overdue": lambda w: partial(plan_svc.milestones_escalate_overdue),
    "supervision.diary_reminders_send": lambda w: partial(diary_svc.diary_reminders_send),
    "supervision.disclosure_check_run": lambda w: partial(disclosure_svc.disclosure_check_run, year=2026, quarter=1),
    "bulletins.bulletin_compile": lambda w: partial(bulletin_compile, township=w.township,
                                                    start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)),
}


def _footprint() -> dict[str, int]:
    """Rows of every model of the three apps: a refused call leaves every count as it was
    (every change of these records also writes a historical row)."""
    return {m._meta.label: m._default_manager.count() for app in ("cadres", "supervision", "bulletins")
            for m in apps.get_app_config(app).get_models()}


@pytest.fixture
def other_office(world: Any) -> Actor:
    return actor_for(f.CadreFactory(township=world.other_township, name="外镇党政办", user__groups=["office"]).user)


@pytest.mark.parametrize("name", sorted(SERVICES))
@pytest.mark.parametrize("who", ["cadre", "other_office"])
def test_every_write_service_refuses_an_actor_without_the_role_or_the_township(world, other_office, name, who):
    actor = actor_for(world.cadre3.user) if who == "cadre" else other_office
    call = SERVICES[name](world)
    before = _footprint()
    with pytest.raises(NotAllowed):
        call(actor=actor)
    assert _footprint() == before


@pytest.mark.parametrize("name", ["cadres.village_save", "cadres.cadre_save", "cadres.assignment_create",
                                  "cadres.record_save"])
def test_the_townships_office_may(world, name):
    SERVICES[name](world)(actor=actor_for(world.office.user))


def test_system_is_never_a_requests_actor(world):
    chief = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert not actor_for(chief).is_system
    assert actor_for(AnonymousUser()) is not SYSTEM
    # Even an actor planted in the per-request cache is not taken for the system.
    user = world.office.user
    setattr(user, "_portal_actor", SYSTEM)  # noqa: B010
    assert actor_for(user) is not SYSTEM and not actor_for(user).is_system
    assert (SYSTEM.user_id, SYSTEM.is_superuser, SYSTEM.is_system) == (None, True, True)


def test_a_refusal_naming_a_field_answers_under_that_field(world):
    """DomainError(field=…) → {"errors": {field: [message]}}, as a serializer's field error reads."""
    client = api_client(world.office.user)
    response = client.post("/api/v1/units/", {"township": world.township.pk, "name": "新所", "kind": "station",
                                               "head": world.village1.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "head: 村干部不能担任站办所负责人。", "code": "invalid",
                               "errors": {"head": ["村干部不能担任站办所负责人。"]}}


def test_a_refusal_without_a_field_keeps_the_detail_only_envelope(world):
    client = api_client(world.office.user)
    assignment = _assignment(world)
    cadres_svc.assignment_end(assignment=assignment, end=DAY, actor=SYSTEM)
    response = client.post(f"/api/v1/assignments/{assignment.pk}/end/", {"end": "2026-03-03"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "该包村已于2026年3月2日结束。", "code": "invalid", "errors": {}}


def test_pledge_points_refusal_is_not_a_field_error(world):
    """A refusal of the whole request (no field) stays under "detail" with no field keys."""
    pledge = pledge_svc.pledge_create(township_id=world.township.pk, year=2026, level="village", pledger=world.v1,
                                      actor=SYSTEM, targets=[{"kind": "base", "task": "任务", "points": Decimal("10")}])
    with pytest.raises(Exception, match="基础目标分值合计应为100分"):
        pledge_svc.pledge_issue(pledge=pledge, actor=actor_for(world.office.user))


def test_the_admin_shows_a_refusal_as_a_message_and_changes_nothing(world):
    """A staff log-in whose Django permissions open a shared setting's page is still refused by
    the service (only superusers and county staff keep shared settings): the admin says why, on
    the same page, instead of failing."""
    clerk = f.UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_deadlinerule", "change_deadlinerule"]))
    rule = DeadlineRule.objects.create(category="other", days=15)
    url = reverse("admin:supervision_deadlinerule_change", args=[rule.pk])
    client = page_client(clerk)
    response = client.post(url, {"category": "other", "days": 30})
    assert (response.status_code, response["Location"]) == (302, url)
    rule.refresh_from_db()
    assert (rule.days, rule.history.count()) == (15, 1)
    page = client.get(url)
    assert "各乡镇共用的设置只能由超级管理员或县级管理员修改。" in page.content.decode()
