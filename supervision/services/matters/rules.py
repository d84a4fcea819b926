"""Who may do what with a matter, and the helpers every matter service shares."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse

from cadres.models import Cadre
from cadres.roles import Actor, Role
from cadres.scope import led_village_ids
from supervision.models import DeadlineRule, Diary, Matter, MatterEvent

S = Matter.Status
DESCRIPTION_LIMIT = 5000
NOTE_LIMIT = 2000


def can_create(actor: Actor) -> bool:
    return actor.has(Role.OFFICE) or actor.cadre is not None


def can_raise_from_diary(actor: Actor, diary: Diary) -> bool:
    """The author, the leaders, the office and the author's superiors turn a diary into a matter."""
    if actor.cadre_id is not None and actor.cadre_id == diary.author_id:
        return True
    if actor.has(Role.LEADER, Role.OFFICE, Role.LEADER_IN_CHARGE, Role.UNIT_HEAD):
        return True
    return actor.cadre is not None and diary.village_id in led_village_ids(actor)


def can_assign(actor: Actor, matter: Matter) -> bool:
    """The office and the leaders assign anywhere; a unit head within their own unit."""
    if actor.has(Role.OFFICE, Role.LEADER):
        return True
    return bool(actor.unit_ids_headed) and (matter.unit_id is None or matter.unit_id in actor.unit_ids_headed)


def can_handle(actor: Actor, matter: Matter) -> bool:
    """Start and resolve: the assignee, or the head of the assigned unit."""
    if actor.is_superuser:
        return True
    if actor.cadre_id is not None and actor.cadre_id == matter.assignee_id:
        return True
    return matter.unit_id is not None and matter.unit_id in actor.unit_ids_headed


def can_revisit(actor: Actor, matter: Matter) -> bool:
    """回访: the cadre who raised the matter, or the office."""
    if actor.has(Role.OFFICE):
        return True
    return actor.cadre_id is not None and actor.cadre_id == matter.raised_by_id


def can_close(actor: Actor) -> bool:
    return actor.has(Role.OFFICE)


def allowed_actions(actor: Actor, matter: Matter) -> set[str]:
    """The transitions this actor may make now: pages show exactly these forms."""
    out: set[str] = set()
    if matter.status in (S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS) and can_assign(actor, matter):
        out.add("assign")
    if matter.status == S.ASSIGNED and can_handle(actor, matter):
        out.add("start")
    if matter.status == S.IN_PROGRESS and can_handle(actor, matter):
        out.add("resolve")
    if matter.status == S.RESOLVED and can_revisit(actor, matter):
        out.add("revisit")
    if matter.status == S.REVISITED and can_close(actor):
        out.add("close")
    return out


def default_deadline(category: str, start: date) -> date:
    rule = DeadlineRule.objects.filter(category=category).values_list("days", flat=True).first()
    days = rule or int(settings.PORTAL["MATTER_DEFAULT_DEADLINE_DAYS"])
    return start + timedelta(days=days)


def _event(matter: Matter, actor: Actor, action: str, from_status: str, note: str = "") -> MatterEvent:
    return MatterEvent.objects.create(
        matter=matter, action=action, from_status=from_status, to_status=matter.status, by_id=actor.user_id, note=note
    )


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().get(pk=matter.pk)


def _url(matter: Matter) -> str:
    return reverse("matter-show", args=[matter.pk])


def _user_of(cadre: Cadre | None) -> Any:
    return cadre.user if cadre is not None and cadre.user_id else None
