"""Schools, places of the township (校务公开 is theirs): the office keeps its township's."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed

from ..models import School, Village
from ..roles import Actor, Role


def may_keep_schools(actor: Actor, township_id: int | None) -> bool:
    """The office of the township (county level and superusers: any township)."""
    if actor.is_superuser:
        return True
    return actor.has(Role.OFFICE) and township_id is not None and (
        actor.township_ids is None or township_id in actor.township_ids)


@transaction.atomic
def school_save(*, actor: Actor, school: School) -> School:
    """Create or change a school; its village, if any, must be of the same township."""
    if not may_keep_schools(actor, school.township_id):
        raise NotAllowed(_("只有本镇党政办可以维护学校。"))
    if school.pk is not None:
        stored = School.objects.select_for_update().filter(pk=school.pk).values_list("township_id", flat=True).first()
        if stored is not None and not may_keep_schools(actor, stored):
            raise NotAllowed(_("只有本镇党政办可以维护学校。"))
    school.name = (school.name or "").strip()
    if not school.name:
        raise DomainError(_("请填写学校名称。"), field="name")
    if len(school.name) > 80:
        raise DomainError(_("学校名称不能超过80字。"), field="name")
    if school.village_id is not None and not Village.objects.filter(
        pk=school.village_id, township_id=school.township_id
    ).exists():
        raise DomainError(_("所在村不属于该乡镇。"), field="village")
    if School.objects.filter(township_id=school.township_id, name=school.name).exclude(pk=school.pk).exists():
        raise DomainError(_("本镇已有名为「%(name)s」的学校。") % {"name": school.name}, field="name")
    school.save()
    return school
