"""Master data the office keeps: villages with their groups, households, trainings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotAllowed

from ..models import Cadre, Household, HouseholdTag, Training, TrainingAttendance, Village, VillageGroup
from ..roles import Actor, Role, require_office
from .pyramid import CadreRuleError


@transaction.atomic
def village_save(*, village: Village, groups: Iterable[str] | None = None, actor: Actor) -> Village:
    """Create or change a village; `groups` (names, in order) adds the 村民小组 not there yet."""
    if village.pk is not None:
        current = Village.objects.select_for_update().filter(pk=village.pk).first()
        require_office(actor, current.township_id if current else village.township_id)
    require_office(actor, village.township_id)
    clash = Village.objects.filter(township_id=village.township_id, name=village.name).exclude(pk=village.pk)
    if clash.exists():
        raise CadreRuleError(_("本镇已有名为「%(name)s」的村。") % {"name": village.name}, field="name")
    if Village.objects.filter(code=village.code).exclude(pk=village.pk).exists():
        raise CadreRuleError(_("村代码「%(code)s」已被使用。") % {"code": village.code}, field="code")
    village.save()
    if groups is not None:
        names = [n.strip() for n in groups if n and n.strip()]
        if len(set(names)) != len(names):
            raise CadreRuleError(_("村民小组名称有重复。"), field="groups")
        existing = set(village.groups.values_list("name", flat=True))
        start = village.groups.count()
        VillageGroup.objects.bulk_create(
            [VillageGroup(village=village, name=name, order=start + i + 1)
             for i, name in enumerate(n for n in names if n not in existing)]
        )
    return village


@transaction.atomic
def household_save(
    *, household: Household, tags: Iterable[HouseholdTag] | None = None, actor: Actor
) -> Household:
    """Create or change a household. No ID-card numbers are ever stored (PIPL)."""
    require_office(actor, household.village.township_id)
    if household.pk is not None:
        current = Household.objects.select_for_update(of=("self",)).select_related("village").get(pk=household.pk)
        require_office(actor, current.village.township_id)
        if current.erased_at is not None:
            raise CadreRuleError(_("该农户的个人信息已按申请删除，不能再修改。"))
    if household.group is not None and household.group.village_id != household.village_id:
        raise CadreRuleError(_("村民小组不属于所选的村。"), field="group")
    household.save()
    if tags is not None:
        household.tags.set(list(tags))
    return household


@transaction.atomic
def training_save(
    *, training: Training, attendance: dict[Cadre, bool] | None = None, actor: Actor
) -> Training:
    """Create or change a training; `attendance` maps each cadre to present/absent."""
    if training.pk is not None:
        current = Training.objects.select_for_update().filter(pk=training.pk).first()
        require_office(actor, current.township_id if current else training.township_id)
    require_office(actor, training.township_id)
    if training.village is not None and training.village.township_id != training.township_id:
        raise CadreRuleError(_("培训地点所在村不属于该乡镇。"), field="village")
    training.save()
    if attendance:
        for cadre, present in attendance.items():
            if cadre.township_id != training.township_id:
                raise CadreRuleError(_("%(name)s 不是本镇干部。") % {"name": cadre.name}, field="attendance")
            TrainingAttendance.objects.update_or_create(training=training, cadre=cadre, defaults={"present": present})
    return training


def may_record_attendance(actor: Actor) -> bool:
    return actor.has(Role.OFFICE)


@transaction.atomic
def training_attendance_record(*, actor: Actor, training: Training, present_ids: Iterable[int]) -> int:
    """The office ticks who came: the ticked cadres are present; a cadre recorded before and not
    ticked now is absent; the others stay unrecorded. Returns the number present."""
    if not may_record_attendance(actor):
        raise NotAllowed(_("只有党政办可以登记培训出勤。"))
    if actor.township_ids is not None and training.township_id not in actor.township_ids:
        raise NotAllowed(_("只能登记本镇培训的出勤。"))
    training = Training.objects.select_for_update().get(pk=training.pk)
    wanted = set(present_ids)
    cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=wanted, township_id=training.township_id, is_active=True)}
    if len(cadres) != len(wanted):
        raise CadreRuleError(_("出勤名单中有不是本镇在岗干部的人员。"), field="attendance")
    recorded = set(TrainingAttendance.objects.filter(training=training).values_list("cadre_id", flat=True))
    attendance: dict[Cadre, bool] = dict.fromkeys(cadres.values(), True)
    for cadre in Cadre.objects.filter(pk__in=recorded - wanted):
        attendance[cadre] = False
    training_save(training=training, attendance=attendance, actor=actor)
    return len(cadres)
