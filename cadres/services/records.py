"""The write path for the plain records the admin edits field by field (calendar days, model
figures, memberships, templates and their rows, shared settings …): rows with no rule of their
own beyond who may keep them. Anything with rules has its own service (cadres.services.*,
supervision.services.*) and its admin calls that instead.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from core.errors import NotAllowed

from ..roles import Actor, Role, require_office

M = TypeVar("M", bound=models.Model)


def may_edit_shared(actor: Actor) -> bool:
    """Superusers (and the system) and county-level staff keep what every township shares."""
    return actor.is_superuser or (actor.is_staff and Role.COUNTY in actor.roles)


def require_keeper(actor: Actor, township_id: int | None) -> None:
    """A township's record: its office. A record every township shares (no township): only a
    superuser or county-level staff."""
    if township_id is None:
        if not may_edit_shared(actor):
            raise NotAllowed(_("各乡镇共用的设置只能由超级管理员或县级管理员修改。"))
        return
    require_office(actor, township_id)


@transaction.atomic
def record_save(*, record: M, actor: Actor, township_id: int | None, before: int | None = None) -> M:
    """Save a plain record of `township_id` (`before`: the township it belonged to until now)."""
    if record.pk is not None and before != township_id:
        require_keeper(actor, before)
    require_keeper(actor, township_id)
    record.save()
    return record


@transaction.atomic
def record_delete(*, record: models.Model, actor: Actor, township_id: int | None) -> None:
    require_keeper(actor, township_id)
    record.delete()
