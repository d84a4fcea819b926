"""A pledge's quarterly progress and its assessment at the year's end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor
from core.errors import DomainError, NotAllowed, StateError
from supervision.models import (
    DisclosureCheck,
    DisclosureRubric,
    GradeThreshold,
    Pledge,
    PledgeTarget,
    TargetAssessment,
    TargetKind,
    TargetProgress,
)
from supervision.quarters import current_quarter
from supervision.services.plans import plan_target_score
from supervision.services.pledges.pyramid import HUNDRED, PROGRESS_LIMIT, ZERO, _require_office, is_pledger_signer, points_text
from supervision.services.pledges.signing import _locked


def may_report_progress(pledge: Pledge, actor: Actor) -> bool:
    return is_pledger_signer(pledge, actor.cadre)


@transaction.atomic
def pledge_report_progress(*, target: PledgeTarget, quarter: int, report: str, actor: Actor) -> TargetProgress:
    """季度进展: one short report per target and quarter (a second one replaces the first, with history)."""
    pledge = _locked(target.pledge)
    if not may_report_progress(pledge, actor):
        raise NotAllowed(_("只有责任方可以填报进展。"))
    if pledge.status != Pledge.Status.COUNTERSIGNED:
        raise StateError(_("责任书会签生效后、考核前才能填报季度进展。"))
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("季度应为 1 到 4。"))
    now_q = current_quarter()
    if (pledge.year, quarter) > (now_q.year, now_q.quarter):
        raise DomainError(_("不能填报尚未开始的季度。"))
    report = (report or "").strip()
    if not report:
        raise DomainError(_("请填写进展情况。"))
    if len(report) > PROGRESS_LIMIT:
        raise DomainError(_("进展情况不能超过%(n)s字。") % {"n": PROGRESS_LIMIT})
    progress, _created = TargetProgress.objects.update_or_create(
        target=target, quarter=quarter, defaults={"report": report, "by_id": actor.user_id}
    )
    return progress


@dataclass(frozen=True)
class TargetResult:
    deduction: Decimal = ZERO
    bonus: Decimal = ZERO
    failed: bool = False
    note: str = ""


def disclosure_target_score(*, village_id: int, year: int, points: Decimal, township_id: int) -> Decimal | None:
    """The average of the village's quarterly disclosure checks of the year, scaled to the target's
    points (None when no check has run yet)."""
    agg = DisclosureCheck.objects.filter(village_id=village_id, year=year).aggregate(avg=Avg("score"))
    if agg["avg"] is None:
        return None
    rubric = DisclosureRubric.objects.filter(Q(township_id=township_id) | Q(township__isnull=True)).order_by(
        "township_id").first()
    full = Decimal(rubric.board_points + rubric.content_points + rubric.procedure_points) if rubric else HUNDRED
    average = Decimal(agg["avg"])
    return min(points, (average / full * points).quantize(Decimal("0.1")))


def _grade_for(total: Decimal, vetoed: bool) -> str:
    if vetoed:
        return Pledge.Grade.FAIL
    threshold = GradeThreshold.objects.filter(min_score__lte=total).order_by("-min_score").first()
    return threshold.grade if threshold else Pledge.Grade.FAIL


def pledge_totals(pledge: Pledge) -> dict[str, Any]:
    """Total (base scores + bonuses capped at the pledge's cap) and veto count, summed by the database."""
    dec = DecimalField(max_digits=7, decimal_places=1)
    agg = TargetAssessment.objects.filter(target__pledge=pledge).aggregate(
        base=Coalesce(Sum("score", filter=Q(target__kind=TargetKind.BASE)), Value(ZERO), output_field=dec),
        bonus=Least(
            Coalesce(Sum("bonus", filter=Q(target__kind=TargetKind.BONUS)), Value(ZERO), output_field=dec),
            Value(pledge.bonus_cap, output_field=dec),
        ),
        vetoed=Count("pk", filter=Q(target__kind=TargetKind.VETO, failed=True)),
    )
    base, bonus = Decimal(agg["base"]), Decimal(agg["bonus"])
    return {"base": base, "bonus": bonus, "total": (base + bonus).quantize(Decimal("0.1")), "vetoed": agg["vetoed"]}


@transaction.atomic
def pledge_assess(*, pledge: Pledge, results: Mapping[int, TargetResult], actor: Actor) -> Pledge:
    """已会签 → 已考核: each target's score, then total and grade computed in the database.

    Base targets score their points less the deduction; bonus targets score their bonus (at most
    their points; all bonuses together at most the pledge's cap); a failed veto target fails the
    whole pledge (不合格). A village's disclosure target is filled from the year's quarterly checks.
    """
    pledge = _locked(pledge)
    _require_office(actor, pledge.township_id)
    if pledge.status != Pledge.Status.COUNTERSIGNED:
        raise StateError(_("只有已会签（生效）的责任书才能考核。"))
    targets = list(pledge.targets.all())
    rows: list[TargetAssessment] = []
    for target in targets:
        result = results.get(target.pk, TargetResult())
        if result.deduction < 0 or result.bonus < 0:
            raise DomainError(_("扣分和加分不能为负数（%(task)s）。") % {"task": target.task})
        if len(result.note) > 500:
            raise DomainError(_("说明不能超过500字（%(task)s）。") % {"task": target.task})
        score, deduction, bonus, failed = ZERO, ZERO, ZERO, False
        note = result.note
        if target.kind == TargetKind.BASE:
            auto = None
            if target.auto_source == "disclosure" and pledge.pledger_village_id:
                auto = disclosure_target_score(village_id=pledge.pledger_village_id, year=pledge.year,
                                               points=target.points, township_id=pledge.township_id)
            elif target.auto_source == "plan" and pledge.pledger_village_id:
                auto = plan_target_score(village_id=pledge.pledger_village_id, year=pledge.year, points=target.points)
            if auto is not None:
                score, deduction = auto, target.points - auto
                note = note or (_("按本年度发展规划节点按期完成率折算。") if target.auto_source == "plan"
                                else _("按本年度村务公开季度检查平均得分折算。"))
            else:
                if result.deduction > target.points:
                    raise DomainError(_("扣分不能超过该项分值（%(task)s：%(points)s分）。")
                                      % {"task": target.task, "points": points_text(target.points)})
                deduction = result.deduction
                score = target.points - deduction
        elif target.kind == TargetKind.BONUS:
            if result.bonus > target.points:
                raise DomainError(_("加分不能超过该项分值（%(task)s：%(points)s分）。")
                                  % {"task": target.task, "points": points_text(target.points)})
            bonus = result.bonus
            score = bonus
        else:
            failed = result.failed
        rows.append(TargetAssessment(target=target, score=score, deduction=deduction, bonus=bonus, failed=failed,
                                     note=note, by_id=actor.user_id))
    for row in rows:
        TargetAssessment.objects.update_or_create(target=row.target, defaults={
            "score": row.score, "deduction": row.deduction, "bonus": row.bonus, "failed": row.failed,
            "note": row.note, "by_id": row.by_id,
        })
    totals = pledge_totals(pledge)
    pledge.total_score = totals["total"]
    pledge.grade = _grade_for(totals["total"], bool(totals["vetoed"]))
    pledge.status = Pledge.Status.ASSESSED
    pledge.assessed_at = timezone.now()
    pledge.save(update_fields=["total_score", "grade", "status", "assessed_at"])
    return pledge
