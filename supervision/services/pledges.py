"""目标管理责任书: issuing, signing up the pyramid, progress, assessment (docs/design.md §3 Pledge).

The pyramid (who countersigns whose pledge):
    村→政府          the village's pledge, countersigned by the township head (镇长)
    机关干部→站办所   a staff cadre's pledge, countersigned by the head of the cadre's unit
    站办所→分管领导   a unit's pledge, countersigned by the unit's leader in charge
    党政副职→党政一把手 a deputy's pledge, countersigned by the party secretary
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg, Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres.models import DEPUTY_POSTS, Cadre, Post, Unit, Village
from cadres.roles import Actor, Role, is_office_of, require_office
from core.errors import DomainError, NotAllowed, StateError
from core.history import history_user
from core.notifications import notify_cadres
from supervision.models import (
    DisclosureCheck,
    DisclosureRubric,
    GradeThreshold,
    Pledge,
    PledgeLevel,
    PledgeTarget,
    PledgeTemplate,
    TargetAssessment,
    TargetKind,
    TargetProgress,
)
from supervision.notifications import NotificationKind
from supervision.quarters import current_quarter
from supervision.services.plans import plan_target_score

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


# --- issuing --------------------------------------------------------------------------------------


def _title(year: int, pledger: Pledger) -> str:
    return _("%(year)s年度%(pledger)s目标管理责任书") % {"year": year, "pledger": pledger}


def _notify_signers(pledge_ids: list[int]) -> None:
    pledges = Pledge.objects.filter(pk__in=pledge_ids).select_related(
        "pledger_village", "pledger_unit__head__user", "pledger_cadre__user"
    )
    for pledge in pledges:
        notify_cadres(
            cadres=pledger_signers(pledge),
            kind=NotificationKind.PLEDGE_TO_SIGN,
            title=_("请签署责任书：%(title)s") % {"title": pledge},
            url=reverse("pledge-show", args=[pledge.pk]),
            dedupe_key=f"pledge-sign:{pledge.pk}",
        )


@transaction.atomic
def pledge_issue_from_template(
    *, template: PledgeTemplate, pledgers: Sequence[Pledger], actor: Actor, issue: bool = True,
    bonus_cap: Decimal | None = None,
) -> list[Pledge]:
    """One pledge per pledger with the template's targets copied; issued (已下达) unless issue=False.

    All or nothing: a pledger that breaks the chain rules, or already has this year's pledge of the
    level, refuses the whole batch with its name.
    """
    _require_office(actor, template.township_id)
    if not pledgers:
        raise DomainError(_("请至少选择一个责任方。"))
    template_targets = list(template.targets.all())
    _check_points(template_targets)
    field = pledger_field(template.level)
    seen: set[int] = set()
    now = timezone.now()
    pledges: list[Pledge] = []
    for pledger in pledgers:
        if pledger.pk in seen:
            continue
        seen.add(pledger.pk)
        if pledger.township_id != template.township_id:
            raise PledgeChainError(_("%(name)s 不属于本镇。") % {"name": pledger})
        superior = expected_superior(level=template.level, pledger=pledger)
        if Pledge.objects.filter(year=template.year, level=template.level, **{field: pledger}).exists():
            raise DomainError(_("%(name)s 的%(year)s年度责任书已存在。") % {"name": pledger, "year": template.year})
        pledges.append(Pledge(
            township_id=template.township_id, year=template.year, level=template.level, template=template,
            title=_title(template.year, pledger), superior=superior,
            status=Pledge.Status.ISSUED if issue else Pledge.Status.DRAFT, issued_at=now if issue else None,
            bonus_cap=bonus_cap if bonus_cap is not None else Decimal("10"), **{field: pledger},
        ))
    created = bulk_create_with_history(pledges, Pledge, default_user=history_user(actor.user_id))
    if any(p.pk is None for p in created):  # backends that do not return keys from a bulk insert
        created = list(Pledge.objects.filter(template=template, **{f"{field}__in": [getattr(p, field) for p in pledges]}))
    targets = [
        PledgeTarget(
            pledge=pledge, kind=t.kind, task=t.task, indicator=t.indicator, points=t.points,
            assessing_unit_id=t.assessing_unit_id, scoring_rule=t.scoring_rule, auto_source=t.auto_source, order=t.order,
        )
        for pledge in created
        for t in template_targets
    ]
    bulk_create_with_history(targets, PledgeTarget)
    if issue:
        ids = [p.pk for p in created]
        transaction.on_commit(lambda: _notify_signers(ids))
    return created


@transaction.atomic
def pledge_create(
    *, township_id: int, year: int, level: str, pledger: Pledger, actor: Actor, superior: Cadre | None = None,
    title: str = "", bonus_cap: Decimal = Decimal("10"),
    targets: Sequence[Mapping[str, Any]] = (),
) -> Pledge:
    """A draft pledge outside any template; a given superior must be the one the pyramid names."""
    _require_office(actor, township_id)
    if pledger.township_id != township_id:
        raise PledgeChainError(_("%(name)s 不属于本镇。") % {"name": pledger})
    superior = check_superior(level=level, pledger=pledger, superior=superior) if superior else expected_superior(
        level=level, pledger=pledger)
    field = pledger_field(level)
    if Pledge.objects.filter(year=year, level=level, **{field: pledger}).exists():
        raise DomainError(_("%(name)s 的%(year)s年度责任书已存在。") % {"name": pledger, "year": year})
    pledge = Pledge.objects.create(
        township_id=township_id, year=year, level=level, title=title or _title(year, pledger),
        superior=superior, bonus_cap=bonus_cap, **{field: pledger},
    )
    for order, target in enumerate(targets):
        PledgeTarget.objects.create(pledge=pledge, order=target.get("order", order), **{
            k: v for k, v in target.items() if k in ("kind", "task", "indicator", "points", "scoring_rule", "auto_source")
        })
    return pledge


@transaction.atomic
def pledge_issue(*, pledge: Pledge, actor: Actor) -> Pledge:
    """草稿 → 已下达: the points must add up and the superior must still be the pyramid's."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    _require_office(actor, pledge.township_id)
    if pledge.status != Pledge.Status.DRAFT:
        raise StateError(_("只有草稿状态的责任书才能下达。"))
    _check_points(list(pledge.targets.all()))
    pledger = pledge.pledger_village or pledge.pledger_unit or pledge.pledger_cadre
    assert pledger is not None
    check_superior(level=pledge.level, pledger=pledger, superior=pledge.superior)
    pledge.status = Pledge.Status.ISSUED
    pledge.issued_at = timezone.now()
    pledge.save(update_fields=["status", "issued_at"])
    transaction.on_commit(lambda: _notify_signers([pledge.pk]))
    return pledge


# --- signing --------------------------------------------------------------------------------------


def _locked(pledge: Pledge) -> Pledge:
    """Lock the row, then read it with its relations. Two statements on purpose: a row that was
    changed while this one waited for the lock comes back current, but rows joined in the same
    locking statement would come back as they were before the wait (PostgreSQL re-checks only
    the locked table)."""
    Pledge.objects.select_for_update().filter(pk=pledge.pk).values_list("pk", flat=True).get()
    return Pledge.objects.select_related(
        "pledger_village", "pledger_unit", "pledger_cadre", "superior", "signed_by", "countersigned_by"
    ).get(pk=pledge.pk)


def _fmt(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@transaction.atomic
def pledge_sign(*, pledge: Pledge, actor: Actor) -> Pledge:
    """已下达 → 责任方已签, by the pledger side only."""
    pledge = _locked(pledge)
    cadre = actor.cadre
    if not is_pledger_signer(pledge, cadre):
        raise NotAllowed(_("只有责任方（本人、站办所负责人或村党支部书记、村委会主任）可以签署这份责任书。"))
    if pledge.status == Pledge.Status.DRAFT:
        raise StateError(_("责任书尚未下达，不能签署。"))
    if pledge.status != Pledge.Status.ISSUED:
        raise StateError(_("责任书已由 %(name)s 于 %(at)s 签署，不能重复签署。")
                         % {"name": pledge.signed_by or "", "at": _fmt(pledge.signed_at)})
    assert cadre is not None
    pledge.status = Pledge.Status.SIGNED
    pledge.signed_at = timezone.now()
    pledge.signed_by = cadre
    pledge.save(update_fields=["status", "signed_at", "signed_by"])
    superior = pledge.superior
    title = str(pledge)
    transaction.on_commit(lambda: notify_cadres(
        cadres=[superior], kind=NotificationKind.PLEDGE_TO_SIGN,
        title=_("请会签责任书：%(title)s") % {"title": title},
        url=reverse("pledge-show", args=[pledge.pk]), dedupe_key=f"pledge-countersign:{pledge.pk}",
    ))
    return pledge


@transaction.atomic
def pledge_countersign(*, pledge: Pledge, actor: Actor) -> Pledge:
    """责任方已签 → 已会签（生效）, by the superior only. The row lock makes a second, simultaneous
    countersignature wait for the first and then refuse with who signed and when."""
    pledge = _locked(pledge)
    cadre = actor.cadre
    if cadre is None or cadre.pk != pledge.superior_id:
        raise NotAllowed(_("只有会签人 %(name)s 可以会签这份责任书。") % {"name": pledge.superior.name})
    if pledge.status in (Pledge.Status.COUNTERSIGNED, Pledge.Status.ASSESSED):
        raise StateError(_("责任书已由 %(name)s 于 %(at)s 会签，不能重复会签。")
                         % {"name": pledge.countersigned_by or "", "at": _fmt(pledge.countersigned_at)})
    if pledge.status != Pledge.Status.SIGNED:
        raise StateError(_("责任方尚未签署，不能会签。"))
    pledge.status = Pledge.Status.COUNTERSIGNED
    pledge.countersigned_at = timezone.now()
    pledge.countersigned_by = cadre
    pledge.save(update_fields=["status", "countersigned_at", "countersigned_by"])
    return pledge


def may_attach_scan(pledge: Pledge, actor: Actor) -> bool:
    return (
        is_office_of(actor, pledge.township_id)
        or (actor.cadre_id is not None and actor.cadre_id == pledge.superior_id)
        or is_pledger_signer(pledge, actor.cadre)
    )


@transaction.atomic
def pledge_attach_scan(*, pledge: Pledge, upload: UploadedFile, actor: Actor) -> Pledge:
    """The scan of the signed and stamped paper copy (PDF or image), once the pledger has signed."""
    pledge = _locked(pledge)
    if not may_attach_scan(pledge, actor):
        raise NotAllowed(_("只有党政办或签约双方可以上传责任书扫描件。"))
    if pledge.status in (Pledge.Status.DRAFT, Pledge.Status.ISSUED):
        raise StateError(_("责任方签署后才能上传签字盖章的扫描件。"))
    clean = clean_scan(upload)
    # A replaced scan stays in storage: the pledge's history still points at it.
    pledge.scan.save(clean.name or "scan.pdf", clean, save=False)
    pledge.save(update_fields=["scan"])
    return pledge


def clean_scan(upload: UploadedFile) -> Any:
    from core.uploads import clean_upload

    try:
        return clean_upload(upload, kinds=("pdf", "image"))
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


# --- progress and assessment ------------------------------------------------------------------------


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
