"""Transfers (干部调动): a cadre's households, villages and open matters go to a successor in one step."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..models import DEPUTY_POSTS, TOP_POSTS, Cadre, HouseholdContact, Post, Transfer, Unit, VillageAssignment
from ..roles import Actor, require_office
from .accounts import access_end, account_end_on_leaving
from .links import _day
from .pyramid import CadreRuleError, _realign, cadre_validate, expected_superior


class Handover(Protocol):
    def __call__(self, *, cadre: Cadre, successor: Cadre, actor: Actor) -> int: ...


# Handovers that other apps register (from their AppConfig.ready), keyed by what they hand over;
# each returns how many it moved, recorded on the Transfer. cadres knows none of them.
_HANDOVERS: dict[str, Handover] = {}


def register_handover(name: str, handler: Handover) -> None:
    _HANDOVERS[name] = handler


# Long on purpose: mostly its keyword signature and docstring; the body calls one named step per part of the transfer.
@transaction.atomic
def cadre_transfer(
    *,
    cadre: Cadre,
    successor: Cadre,
    date: date,
    to_post: str | None = None,
    to_unit: Unit | None = None,
    note: str = "",
    actor: Actor,
) -> Transfer:
    """Hand everything the cadre carries to the successor, then move or release the cadre.

    With `to_post` the cadre stays in the township in the new post (and `to_unit`, if given);
    without it the cadre leaves the township (inactive). Ended contacts and assignments stay
    as history; the successor's start on `date`. Open matters change assignee, each with a
    timeline entry (registered by supervision: `register_handover`).
    """
    cadre, successor = _lock_pair(cadre, successor)
    require_office(actor, cadre.township_id)
    _check(cadre=cadre, successor=successor, day=date, to_post=to_post, to_unit=to_unit)
    from_post = cadre.post

    contacts = _hand_over_contacts(cadre, successor, date)
    assignments = _hand_over_assignments(cadre, successor, date)

    # What the other apps carry for the cadre (supervision: open matters) goes over in the same
    # transaction, through their own services.
    handed = {name: handler(cadre=cadre, successor=successor, actor=actor) for name, handler in _HANDOVERS.items()}

    units = _hand_over_units(cadre, successor)
    if to_post:
        cadre.post = to_post
        if to_unit is not None:
            cadre.unit = to_unit
        cadre_validate(cadre)
        cadre.reports_to = expected_superior(cadre)
    else:
        cadre.is_active = False
    cadre.save()
    if cadre.user_id is not None:
        # Nobody keeps access to a township they left; one who stays gets a fresh session, so no
        # page opened in the old post stays open.
        if cadre.is_active:
            access_end(user=cadre.user)
        else:
            account_end_on_leaving(cadre=cadre)
    subordinates = _realign(
        Cadre.objects.filter(reports_to_id__in=[cadre.pk, successor.pk]).select_related("unit").exclude(
            pk__in=[cadre.pk, successor.pk]
        )
    )
    subordinates += _realign([successor])

    return Transfer.objects.create(
        cadre=cadre,
        successor=successor,
        date=date,
        from_post=from_post,
        to_post=to_post or "",
        note=note,
        by_id=actor.user_id,
        handed_over={
            "contacts": contacts,
            "assignments": assignments,
            **handed,
            "units": units,
            "realigned": subordinates,
        },
    )


def _hand_over_units(cadre: Cadre, successor: Cadre) -> int:
    """The successor heads the units the cadre headed (in that unit) and leads those the cadre led."""
    units = 0
    for unit in Unit.objects.select_for_update().filter(head_id=cadre.pk):
        unit.head = successor
        unit.save(update_fields=["head"])
        successor.unit, successor.post = unit, Post.UNIT_HEAD
        successor.save(update_fields=["unit", "post"])
        units += 1
    for unit in Unit.objects.select_for_update().filter(leader_in_charge_id=cadre.pk):
        unit.leader_in_charge = successor
        unit.save(update_fields=["leader_in_charge"])
        units += 1
    return units


def _lock_pair(cadre: Cadre, successor: Cadre) -> tuple[Cadre, Cadre]:
    # Lock in id order so two transfers between the same people cannot deadlock.
    rows = {
        c.pk: c
        for c in Cadre.objects.select_for_update().filter(pk__in=[cadre.pk, successor.pk]).order_by("pk")
    }
    return rows[cadre.pk], rows[successor.pk]


def _check(*, cadre: Cadre, successor: Cadre, day: date, to_post: str | None, to_unit: Unit | None) -> None:
    if cadre.pk == successor.pk:
        raise CadreRuleError(_("接替人不能是本人。"), field="successor")
    if not cadre.is_active:
        raise CadreRuleError(_("%(name)s 已不在岗，无需调动。") % {"name": cadre.name}, field="cadre")
    if not successor.is_active:
        raise CadreRuleError(_("接替人%(name)s 已不在岗。") % {"name": successor.name}, field="successor")
    if successor.township_id != cadre.township_id:
        raise CadreRuleError(_("接替人必须是同一乡镇的干部。"), field="successor")
    if successor.level != cadre.level:
        raise CadreRuleError(_("接替人与调出干部的层级不同（镇干部/村干部）。"), field="successor")
    if day > timezone.localdate():
        raise CadreRuleError(_("调动日期不能晚于今天。"), field="date")
    latest = max(
        (d for d in (
            HouseholdContact.objects.filter(cadre_id=cadre.pk, end__isnull=True).aggregate(m=Max("start"))["m"],
            VillageAssignment.objects.filter(cadre_id=cadre.pk, end__isnull=True).aggregate(m=Max("start"))["m"],
        ) if d is not None),
        default=None,
    )
    if latest is not None and day < latest:
        raise CadreRuleError(
            _("调动日期早于该干部现有联系户或包村的开始日期（%(day)s）。") % {"day": _day(latest)}, field="date"
        )
    if Unit.objects.filter(leader_in_charge_id=cadre.pk).exists() and successor.post not in TOP_POSTS | DEPUTY_POSTS:
        raise CadreRuleError(
            _("%(name)s 分管站办所，接替人须是镇领导班子成员；也可先在站办所中改设分管领导。") % {"name": cadre.name},
            field="successor",
        )
    if Unit.objects.filter(head_id=cadre.pk).exists() and successor.post not in (Post.UNIT_HEAD, Post.STAFF):
        raise CadreRuleError(
            _("%(name)s 是站办所负责人，接替人应为机关干部或站所负责人。") % {"name": cadre.name}, field="successor"
        )
    if Unit.objects.filter(head_id=cadre.pk).exists() and Unit.objects.filter(head_id=successor.pk).exists():
        raise CadreRuleError(_("接替人已是其他站办所的负责人，不能同时接任。"), field="successor")
    if to_post and to_post not in Post.values:
        raise CadreRuleError(_("新职务无效。"), field="to_post")
    if to_unit is not None and to_unit.township_id != cadre.township_id:
        raise CadreRuleError(_("新站办所不属于本镇。"), field="to_unit")
    if to_post is None and to_unit is not None:
        raise DomainError(_("调离本镇时不能指定新站办所。"))


def _hand_over_contacts(cadre: Cadre, successor: Cadre, day: date) -> int:
    contacts = list(HouseholdContact.objects.select_for_update().filter(cadre_id=cadre.pk, end__isnull=True))
    already = set(
        HouseholdContact.objects.filter(
            cadre_id=successor.pk, end__isnull=True, household_id__in=[c.household_id for c in contacts]
        ).values_list("household_id", flat=True)
    )
    for contact in contacts:
        contact.end = day
        contact.save(update_fields=["end"])
        if contact.household_id not in already:
            HouseholdContact.objects.create(
                cadre=successor, household_id=contact.household_id, kind=contact.kind, start=day,
                help_plan=contact.help_plan,
            )
    return len(contacts)


def _hand_over_assignments(cadre: Cadre, successor: Cadre, day: date) -> int:
    handed = list(VillageAssignment.objects.select_for_update().filter(cadre_id=cadre.pk, end__isnull=True))
    for assignment in handed:
        assignment.end = day
        assignment.save(update_fields=["end"])
        own = VillageAssignment.objects.select_for_update().filter(
            cadre_id=successor.pk, village_id=assignment.village_id, end__isnull=True
        ).first()
        role = assignment.role
        if own is not None:
            # The successor already works in the village: keep the more responsible role.
            if own.role == VillageAssignment.Role.LEADER or role != VillageAssignment.Role.LEADER:
                continue
            own.end = max(day, own.start)
            own.save(update_fields=["end"])
        VillageAssignment.objects.create(
            cadre=successor, village_id=assignment.village_id, role=role, start=day, duties=assignment.duties
        )
    return len(handed)
