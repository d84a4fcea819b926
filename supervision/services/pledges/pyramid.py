"""The pyramid of pledges: who pledges at each level, who countersigns, who signs; the points rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cadres.models import DEPUTY_POSTS, Cadre, Post, Unit, Village
from cadres.roles import Actor, Role, require_office
from core.errors import DomainError, NotAllowed
from supervision.models import (
    Pledge,
    PledgeLevel,
    TargetKind,
)

Pledger = Village | Unit | Cadre
ZERO = Decimal("0")
HUNDRED = Decimal("100")
VILLAGE_SIGNING_POSTS = frozenset({Post.VILLAGE_SECRETARY, Post.VILLAGE_DIRECTOR})
PROGRESS_LIMIT = 3000


class PledgeChainError(DomainError):
    code = "pledge_chain"


# --- the pyramid ----------------------------------------------------------------------------------


def pledger_field(level: str) -> str:
    """Which pledger column a level uses."""
    return {
        PledgeLevel.VILLAGE: "pledger_village",
        PledgeLevel.UNIT: "pledger_unit",
        PledgeLevel.STAFF: "pledger_cadre",
        PledgeLevel.DEPUTY: "pledger_cadre",
    }[PledgeLevel(level)]


def _first_with_post(township_id: int, post: str) -> Cadre | None:
    """The active cadre holding a post: the primary post wins over an extra post (兼职)."""
    primary = Cadre.objects.filter(township_id=township_id, is_active=True, post=post).order_by("id").first()
    if primary is not None:
        return primary
    for cadre in Cadre.objects.filter(township_id=township_id, is_active=True).exclude(extra_posts=[]).order_by("id"):
        if post in (cadre.extra_posts or []):
            return cadre
    return None


def check_pledger(*, level: str, pledger: Pledger) -> None:
    """A pledger must be of the kind its level expects (a village for 村→政府, a deputy for 党政副职…)."""
    level = PledgeLevel(level)
    if level == PledgeLevel.VILLAGE and not isinstance(pledger, Village):
        raise PledgeChainError(_("“村→政府”责任书的责任方应为村（社区）。"))
    if level == PledgeLevel.UNIT and not isinstance(pledger, Unit):
        raise PledgeChainError(_("“站办所→分管领导”责任书的责任方应为站办所。"))
    if level in (PledgeLevel.STAFF, PledgeLevel.DEPUTY):
        if not isinstance(pledger, Cadre):
            raise PledgeChainError(_("该层级责任书的责任方应为干部个人。"))
        if not pledger.is_active:
            raise PledgeChainError(_("%(name)s 已不在岗，不能签订责任书。") % {"name": pledger.name})
        if level == PledgeLevel.DEPUTY and pledger.post not in DEPUTY_POSTS:
            raise PledgeChainError(_("%(name)s 不是党政副职，不能签订“党政副职→党政一把手”责任书。") % {"name": pledger.name})
        if level == PledgeLevel.STAFF and (pledger.level != Cadre.Level.TOWNSHIP or pledger.unit_id is None):
            raise PledgeChainError(_("%(name)s 不属于任何站办所，不能签订“机关干部→站办所”责任书。") % {"name": pledger.name})


def expected_superior(*, level: str, pledger: Pledger) -> Cadre:
    """Who must countersign this pledger's pledge, by the pyramid; refuses when nobody holds that post."""
    check_pledger(level=level, pledger=pledger)
    level = PledgeLevel(level)
    superior: Cadre | None
    if level == PledgeLevel.VILLAGE:
        superior = _first_with_post(pledger.township_id, Post.TOWNSHIP_HEAD)
        if superior is None:
            raise PledgeChainError(_("本镇尚未登记在岗的镇长，无法下达“村→政府”责任书。"))
    elif level == PledgeLevel.STAFF:
        assert isinstance(pledger, Cadre)
        unit = pledger.unit
        superior = unit.head if unit is not None else None
        if superior is None or not superior.is_active:
            raise PledgeChainError(_("%(unit)s 尚未设置在岗负责人，无法下达 %(name)s 的责任书。")
                                   % {"unit": unit, "name": pledger.name})
        if superior.pk == pledger.pk:
            raise PledgeChainError(_("%(name)s 是本站办所负责人，应签订“站办所→分管领导”责任书。") % {"name": pledger.name})
    elif level == PledgeLevel.UNIT:
        assert isinstance(pledger, Unit)
        superior = pledger.leader_in_charge
        if superior is None or not superior.is_active:
            raise PledgeChainError(_("%(unit)s 尚未设置在岗的分管领导。") % {"unit": pledger.name})
    else:
        superior = _first_with_post(pledger.township_id, Post.PARTY_SECRETARY)
        if superior is None:
            raise PledgeChainError(_("本镇尚未登记在岗的党委书记，无法下达“党政副职→党政一把手”责任书。"))
    return superior


def check_superior(*, level: str, pledger: Pledger, superior: Cadre) -> Cadre:
    expected = expected_superior(level=level, pledger=pledger)
    if superior.pk != expected.pk:
        raise PledgeChainError(
            _("会签人不符合责任书层级：%(pledger)s 的“%(level)s”责任书应由 %(expected)s 会签，而不是 %(given)s。")
            % {"pledger": pledger, "level": PledgeLevel(level).label, "expected": expected.name, "given": superior.name}
        )
    return expected


def is_pledger_signer(pledge: Pledge, cadre: Cadre | None) -> bool:
    """The pledger side: the cadre; the unit's head; the village's party secretary or director."""
    if cadre is None or not cadre.is_active:
        return False
    if pledge.pledger_cadre_id:
        return pledge.pledger_cadre_id == cadre.pk
    if pledge.pledger_unit_id:
        return pledge.pledger_unit is not None and pledge.pledger_unit.head_id == cadre.pk
    posts = {cadre.post, *(cadre.extra_posts or [])}
    return (
        cadre.level == Cadre.Level.VILLAGE
        and cadre.village_id == pledge.pledger_village_id
        and bool(posts & VILLAGE_SIGNING_POSTS)
    )


def pledger_signers(pledge: Pledge) -> list[Cadre]:
    if pledge.pledger_cadre_id:
        return [pledge.pledger_cadre] if pledge.pledger_cadre else []
    if pledge.pledger_unit_id:
        head = pledge.pledger_unit.head if pledge.pledger_unit else None
        return [head] if head else []
    cadres = Cadre.objects.filter(village_id=pledge.pledger_village_id, level=Cadre.Level.VILLAGE, is_active=True)
    return [c for c in cadres.select_related("user") if is_pledger_signer(pledge, c)]


def _require_office(actor: Actor, township_id: int) -> None:
    if not actor.has(Role.OFFICE):
        raise NotAllowed(_("只有党政办可以进行此操作。"))
    require_office(actor, township_id, _("只能管理本镇的责任书。"))


def points_text(value: Decimal) -> str:
    """90.0 → "90", 27.5 → "27.5" (never "9E+1")."""
    return format(value.normalize(), "f")


def base_points_total(targets: Iterable[Any]) -> Decimal:
    return sum((t.points for t in targets if t.kind == TargetKind.BASE), ZERO)


def _check_points(targets: Sequence[Any]) -> None:
    if not targets:
        raise DomainError(_("责任书至少应有一项目标。"))
    total = base_points_total(targets)
    if total != HUNDRED:
        raise DomainError(_("基础目标分值合计应为100分，现为%(total)s分。") % {"total": points_text(total)})
