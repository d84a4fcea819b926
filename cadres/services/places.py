"""Master data the office keeps: villages with their groups, households, trainings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Cadre, Household, HouseholdTag, Training, TrainingAttendance, Village, VillageGroup
from ..roles import Actor, require_office
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
