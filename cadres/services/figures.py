"""Model figures (典型): proposed from the staff pages (a diary, a matter), confirmed by the office.

Only confirmed figures reach a bulletin (bulletins.services picks them by period).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotAllowed, StateError

from ..models import Cadre, ModelFigure, Village
from ..roles import Actor, Role
from .pyramid import CadreRuleError

# Those who supervise others' work may hold it up as an example (docs/design.md §4).
PROPOSERS = (Role.LEADER, Role.LEADER_IN_CHARGE, Role.UNIT_HEAD, Role.OFFICE)


def may_propose_figure(actor: Actor) -> bool:
    return actor.has(*PROPOSERS)


def _in_township(actor: Actor, township_id: int) -> bool:
    return actor.township_ids is None or township_id in actor.township_ids


@transaction.atomic
def model_figure_propose(
    *,
    actor: Actor,
    township_id: int,
    title: str,
    story: str,
    period_start: date,
    period_end: date,
    cadre: Cadre | None = None,
    villager_name: str = "",
    village: Village | None = None,
    source: str = "",
) -> ModelFigure:
    """A proposal (status proposed): the office confirms it before a bulletin may carry it."""
    if not may_propose_figure(actor):
        raise NotAllowed(_("只有镇领导、分管领导、站办所负责人和党政办可以推荐典型。"))
    if not _in_township(actor, township_id):
        raise NotAllowed(_("只能推荐本镇的典型。"))
    title, story, villager_name = title.strip(), story.strip(), villager_name.strip()
    if not title:
        raise CadreRuleError(_("请填写典型的标题。"), field="title")
    if not story:
        raise CadreRuleError(_("请填写事迹。"), field="story")
    if cadre is None and not villager_name:
        raise CadreRuleError(_("请选择干部或填写群众姓名。"), field="villager_name")
    if cadre is not None and cadre.township_id != township_id:
        raise CadreRuleError(_("该干部不是本镇干部。"), field="cadre")
    if village is not None and village.township_id != township_id:
        raise CadreRuleError(_("所选的村不属于本镇。"), field="village")
    if period_end < period_start:
        raise CadreRuleError(_("期间止不能早于期间起。"), field="period_end")
    return ModelFigure.objects.create(
        township_id=township_id, title=title, story=story, period_start=period_start, period_end=period_end,
        cadre=cadre, villager_name=villager_name if cadre is None else "", village=village,
        status=ModelFigure.Status.PROPOSED, source=source[:200], proposed_by_id=actor.user_id,
    )


@transaction.atomic
def model_figure_confirm(*, actor: Actor, figure: ModelFigure) -> ModelFigure:
    if not actor.has(Role.OFFICE):
        raise NotAllowed(_("只有党政办可以确认典型。"))
    if not _in_township(actor, figure.township_id):
        raise NotAllowed(_("只能确认本镇的典型。"))
    figure = ModelFigure.objects.select_for_update().get(pk=figure.pk)
    if figure.status == ModelFigure.Status.CONFIRMED:
        raise StateError(_("该典型已确认。"))
    figure.status = ModelFigure.Status.CONFIRMED
    figure.save(update_fields=["status"])
    return figure
