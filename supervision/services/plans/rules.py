"""Who may do what with a plan, and the helpers every plan service shares (limits, numbers, new rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.models import Cadre, Village, VillageAssignment
from cadres.roles import Actor, Role
from cadres.scope import active_on, assigned_village_ids, led_village_ids
from core.errors import StateError
from supervision.models import Plan, PlanGoal, PlanMilestone
from supervision.services._common import check_length, cn_date, require_text

S = Plan.Status
TITLE_LIMIT = 200
BACKGROUND_LIMIT = 10000
NOTE_LIMIT = 2000
MAX_GOALS = 50
MAX_MILESTONES = 100


def _in_township(actor: Actor, plan: Plan) -> bool:
    return actor.township_ids is None or plan.township_id in actor.township_ids


def can_draft(actor: Actor, village: Village) -> bool:
    """The cadres who work in the village: its assigned cadres and its village cadres."""
    if actor.cadre is None or not actor.cadre.is_active:
        return False
    return village.pk in assigned_village_ids(actor)


def can_edit(actor: Actor, plan: Plan) -> bool:
    return _in_township(actor, plan) and can_draft(actor, plan.village)


def can_approve(actor: Actor, plan: Plan) -> bool:
    if not _in_township(actor, plan):
        return False
    if actor.has(Role.LEADER, Role.OFFICE):
        return True
    if actor.cadre is None:
        return False
    if plan.village_id in led_village_ids(actor):
        return True
    return bool(actor.unit_ids_supervised) and VillageAssignment.objects.filter(
        active_on(), village_id=plan.village_id, cadre__unit_id__in=actor.unit_ids_supervised
    ).exists()


def can_follow(actor: Actor, plan: Plan, milestone: PlanMilestone | None = None) -> bool:
    """Mark milestones done, update achieved values: the village's cadres, the responsible, the office."""
    if not _in_township(actor, plan):
        return False
    if actor.has(Role.OFFICE):
        return True
    if milestone is not None and actor.cadre_id is not None and milestone.responsible_id == actor.cadre_id:
        return True
    return can_edit(actor, plan)


def allowed_actions(actor: Actor, plan: Plan) -> set[str]:
    """What this actor may do to the plan now: pages show exactly these forms."""
    out: set[str] = set()
    if plan.status == S.DRAFT and can_edit(actor, plan):
        out |= {"edit", "submit"}
    if plan.status == S.SUBMITTED and can_approve(actor, plan) and actor.user_id != plan.submitted_by_id:
        out |= {"approve", "return"}
    if plan.status == S.APPROVED:
        if can_approve(actor, plan):
            out.add("revise")
        if can_follow(actor, plan):
            out |= {"done", "achieved"}
    return out


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("village").get(pk=plan.pk)


def _url(plan: Plan) -> str:
    return reverse("plan-show", args=[plan.pk])


def _user_of(cadre: Cadre | None) -> Any:
    return cadre.user if cadre is not None and cadre.user_id else None


def _number(field: str, value: Any, *, required: bool = True) -> Decimal:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写数值。")})
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写正确的数值。")}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({field: _("请填写正确的数值。")})
    return number.quantize(Decimal("0.01"))


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("规划期止不能早于规划期起。")})
    if (end - start).days > 366 * 10:
        raise ValidationError({"period_end": _("规划期最长十年。")})


def _responsible(plan_township_id: int, responsible: Cadre | None) -> Cadre | None:
    if responsible is not None and (responsible.township_id != plan_township_id or not responsible.is_active):
        raise ValidationError({"responsible": _("责任人必须是本乡镇的在岗干部。")})
    return responsible


def _new_goal(plan: Plan, *, indicator: str, unit: str = "", baseline: Any = 0, target: Any, order: int) -> PlanGoal:
    indicator = require_text("indicator", indicator, _("请填写指标。"))
    check_length("indicator", indicator, 200)
    unit = (unit or "").strip()
    check_length("unit", unit, 20)
    return PlanGoal.objects.create(
        plan=plan, indicator=indicator, unit=unit, baseline=_number("baseline", baseline, required=False),
        target=_number("target", target), order=order,
    )


def _new_milestone(plan: Plan, *, title: str, due: date, responsible: Cadre | None = None) -> PlanMilestone:
    title = require_text("title", title, _("请填写节点名称。"))
    check_length("title", title, TITLE_LIMIT)
    if due is None:
        raise ValidationError({"due": _("请填写完成期限。")})
    if not plan.period_start <= due <= plan.period_end:
        raise ValidationError({"due": _("完成期限须在规划期内（%(start)s至%(end)s）。") % {
            "start": cn_date(plan.period_start), "end": cn_date(plan.period_end)}})
    return PlanMilestone.objects.create(
        plan=plan, title=title, due=due, responsible=_responsible(plan.township_id, responsible)
    )


def _not_a_draft(plan: Plan) -> StateError:
    return StateError(
        _("规划当前为“%(status)s”，不能直接修改；已审批的规划通过修订变更。") % {"status": plan.get_status_display()}
    )
