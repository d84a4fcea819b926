"""Demo data: pledges in every state, with progress and assessments."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import DEPUTY_POSTS, Cadre, Post, Unit, Village
from cadres.roles import SYSTEM, Actor, actor_for
from supervision.demo._common import at, duty_context
from supervision.models import (
    Pledge,
    PledgeLevel,
    PledgeTemplate,
    PledgeTemplateTarget,
    TargetKind,
    TargetProgress,
)
from supervision.quarters import Quarter, current_quarter
from supervision.services import pledges as pledge_services

# (kind, task, indicator, points, auto_source)
TEMPLATES: dict[str, tuple[str, list[tuple[str, str, str, int, str]]]] = {
    PledgeLevel.VILLAGE: ("村级目标管理责任书", [
        ("base", "产业发展", "日光温室新建、改造任务按期完成，主导产业收入稳定增长", 25, ""),
        ("base", "巩固脱贫成果", "监测户帮扶措施落实，无规模性返贫", 20, ""),
        ("base", "基层党建", "三会一课、主题党日按时开展，发展党员程序规范", 15, ""),
        ("base", "平安建设", "矛盾纠纷排查化解及时，无越级上访", 15, ""),
        ("base", "人居环境整治", "村庄清洁行动常态化，垃圾及时清运", 15, ""),
        ("base", "村务公开", "按季度检查得分折算", 10, "disclosure"),
        ("bonus", "工作创新", "形成可推广的经验做法，被县级以上推广", 5, ""),
        ("bonus", "表彰奖励", "获得县级以上表彰", 5, ""),
        ("veto", "安全生产", "发生较大及以上安全生产责任事故", 0, ""),
    ]),
    PledgeLevel.UNIT: ("站办所目标管理责任书", [
        ("base", "业务工作", "年度业务目标任务全面完成", 40, ""),
        ("base", "服务群众", "群众诉求按期办结，满意率90%以上", 25, ""),
        ("base", "作风建设", "无推诿扯皮、庸懒散拖问题被通报", 20, ""),
        ("base", "党风廉政", "落实一岗双责，无违纪违法问题", 15, ""),
        ("bonus", "争先创优", "工作获县级以上表彰或推广", 5, ""),
        ("veto", "违反八项规定", "单位人员因违反中央八项规定精神受到处理", 0, ""),
    ]),
    PledgeLevel.STAFF: ("机关干部目标管理责任书", [
        ("base", "岗位职责", "本岗位工作任务按时保质完成", 40, ""),
        ("base", "包村联户", "联系户走访到位，帮扶措施落实", 25, ""),
        ("base", "民情日记", "按工作日记录民情日记，问题及时登记交办", 20, ""),
        ("base", "学习培训", "按要求参加干部培训和理论学习", 15, ""),
        ("bonus", "典型引路", "个人事迹被作风建设简报选为典型", 3, ""),
        ("veto", "违纪违法", "受到党纪政务处分", 0, ""),
    ]),
    PledgeLevel.DEPUTY: ("党政副职目标管理责任书", [
        ("base", "分管工作", "分管领域年度目标任务全面完成", 40, ""),
        ("base", "包村工作", "所包村重点工作推进有力，问题及时化解", 25, ""),
        ("base", "一岗双责", "分管站办所党风廉政建设责任落实", 20, ""),
        ("base", "作风建设", "带头走访群众，带头落实民情日记制度", 15, ""),
        ("bonus", "争先创优", "分管工作获县级以上表彰", 5, ""),
        ("veto", "重大责任事故", "分管领域发生重大责任事故", 0, ""),
    ]),
}


# Long on purpose: a linear demo recipe (issue, sign, countersign, progress, assess) on one random stream.
def _pledges(ctx: Any, township: Any, office: Any, users: dict[str, Any], rng: random.Random) -> None:
    """One township's chain. `office` is the office log-in (the main township) or None (a
    generated township, which has no log-ins): then the system issues and assesses."""
    today: dt.date = ctx.today
    year = today.year
    if Pledge.objects.filter(township=township, year=year).exists():
        ctx.out(f"    {township.name}: pledges already seeded")
        return
    actor = actor_for(office) if office is not None else SYSTEM
    templates: dict[str, PledgeTemplate] = {}
    for level, (name, targets) in TEMPLATES.items():
        template, created = PledgeTemplate.objects.get_or_create(township=township, year=year, level=level, name=name)
        if created:
            PledgeTemplateTarget.objects.bulk_create([
                PledgeTemplateTarget(template=template, kind=kind, task=task, indicator=indicator,
                                     points=Decimal(points), auto_source=auto, order=i,
                                     scoring_rule="按考核指标逐项评分，未完成的按比例扣分" if kind == "base" else "")
                for i, (kind, task, indicator, points, auto) in enumerate(targets, start=1)
            ])
        templates[level] = template

    cadre1 = getattr(users.get("cadre1"), "cadre", None)
    cadre2 = getattr(users.get("cadre2"), "cadre", None)
    village1 = getattr(users.get("village1"), "cadre", None)
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    units = list(Unit.objects.filter(township=township, is_active=True, leader_in_charge__isnull=False,
                                     head__isnull=False).select_related("head", "leader_in_charge").order_by("id"))
    staff = list(Cadre.objects.filter(township=township, is_active=True, level=Cadre.Level.TOWNSHIP, post=Post.STAFF,
                                      unit__head__isnull=False).select_related("unit__head").order_by("id"))
    deputies = list(Cadre.objects.filter(township=township, is_active=True, post__in=DEPUTY_POSTS).order_by("id"))
    issued: list[Pledge] = []
    for level, pledgers in ((PledgeLevel.DEPUTY, deputies), (PledgeLevel.UNIT, units), (PledgeLevel.STAFF, staff),
                            (PledgeLevel.VILLAGE, villages)):
        drafts = pledgers[-1:] if len(pledgers) > 3 else []  # one draft per level, not yet issued
        issue = [p for p in pledgers if p not in drafts]
        if issue:
            issued += pledge_services.pledge_issue_from_template(template=templates[level], pledgers=issue,
                                                                 actor=actor)
        if drafts:
            pledge_services.pledge_issue_from_template(template=templates[level], pledgers=drafts, actor=actor,
                                                       issue=False)

    # Move most of the chain along: the higher the level, the further along (leaders sign first).
    issued_on = dt.date(year, 3, 1)
    village_signers = _village_signers(township)
    signed_rows: list[Pledge] = []
    for pledge in issued:
        pledge.issued_at = at(issued_on, 9)
        keep_issued = (
            (cadre1 is not None and pledge.pledger_cadre_id == cadre1.pk)
            or (cadre2 is not None and pledge.pledger_cadre_id == cadre2.pk)
        )
        if keep_issued:
            continue
        roll = rng.random()
        waiting_for_head = village1 is not None and pledge.pledger_village_id == village1.village_id
        stage = "signed" if waiting_for_head else (
            "issued" if roll < 0.12 else "signed" if roll < 0.25 else "countersigned")
        if stage == "issued":
            continue
        signer = _signer(pledge, village1, village_signers)
        if signer is None:
            continue
        pledge.status = Pledge.Status.SIGNED
        pledge.signed_by = signer
        pledge.signed_at = at(issued_on + dt.timedelta(days=rng.randint(2, 20)), 15)
        if stage == "countersigned":
            pledge.status = Pledge.Status.COUNTERSIGNED
            pledge.countersigned_by = pledge.superior
            pledge.countersigned_at = pledge.signed_at + dt.timedelta(days=rng.randint(1, 10))
        signed_rows.append(pledge)
    bulk_update_with_history(issued, Pledge, ["issued_at", "status", "signed_by", "signed_at", "countersigned_by",
                                              "countersigned_at"], default_change_reason="demo")
    effective = [p for p in signed_rows if p.status == Pledge.Status.COUNTERSIGNED]
    prefetch_related_objects(effective, "targets")  # one query, not one per pledge
    _progress(effective, today, rng)
    _assess(effective, actor, rng, count=4)
    ctx.out(f"    {township.name}: {len(issued)} pledges issued, {len(signed_rows)} signed, {len(effective)} in force")


def _village_signers(township: Any) -> dict[int, Cadre]:
    """Who signs for each village: its party secretary or its director (the first by post, then id)."""
    signers: dict[int, Cadre] = {}
    for cadre in (Cadre.objects.filter(township=township, village__isnull=False, is_active=True)
                  .filter(Q(post=Post.VILLAGE_SECRETARY) | Q(post=Post.VILLAGE_DIRECTOR)).order_by("post", "id")):
        signers.setdefault(cadre.village_id, cadre)
    return signers


def _signer(pledge: Pledge, village1: Cadre | None, village_signers: dict[int, Cadre]) -> Cadre | None:
    if pledge.pledger_cadre_id:
        return pledge.pledger_cadre
    if pledge.pledger_unit_id:
        return pledge.pledger_unit.head if pledge.pledger_unit else None
    if village1 is not None and village1.village_id == pledge.pledger_village_id:
        return village1
    return village_signers.get(pledge.pledger_village_id) if pledge.pledger_village_id else None


def _progress(pledges: list[Pledge], today: dt.date, rng: random.Random) -> None:
    quarters = [q for q in range(1, 5) if Quarter(today.year, q) <= current_quarter(today)]
    rows = []
    for pledge in pledges:
        for target in pledge.targets.all():
            if target.kind != TargetKind.BASE:
                continue
            for q in quarters:
                if rng.random() < 0.75:
                    rows.append(TargetProgress(
                        target=target, quarter=q,
                        report=rng.choice(["按计划推进，完成阶段任务", "已完成年度任务的七成，进度正常",
                                           "存在资金到位慢的问题，已协调解决", "重点工作有序推进，群众反映良好"])))
    bulk_create_with_history(rows, TargetProgress, batch_size=500)


def _assess(pledges: list[Pledge], actor: Actor, rng: random.Random, *, count: int) -> None:
    """A few pledges already assessed, through the service (totals and grades from the database)."""
    chosen = [p for p in pledges if p.level in (PledgeLevel.STAFF, PledgeLevel.UNIT)][:count]
    for pledge in chosen:
        results = {}
        for target in pledge.targets.all():
            if target.kind == TargetKind.BASE:
                deduction = Decimal(rng.choice([0, 0, 1, 2, 3, 5]))
                results[target.pk] = pledge_services.TargetResult(deduction=min(deduction, target.points))
            elif target.kind == TargetKind.BONUS:
                results[target.pk] = pledge_services.TargetResult(bonus=Decimal(rng.choice([0, 1, 2])))
            else:
                results[target.pk] = pledge_services.TargetResult(failed=False)
        pledge_services.pledge_assess(pledge=pledge, results=results, actor=actor)


def seed(ctx: Any) -> None:
    """Seed the pledges (the main township on the stream the duties always used, supervision.duties;
    each generated township of a county on its own)."""
    found = duty_context(ctx, "pledges")
    if found is None:
        return
    township, users, office = found
    with transaction.atomic():
        _pledges(ctx, township, office, users, ctx.rng_for("supervision.duties"))
    # A county: every generated township signs its own chain level by level, on its own stream.
    for other in ctx.generated_townships():
        with transaction.atomic():
            _pledges(ctx, other, None, {}, ctx.rng_for(f"supervision.duties.{other.code}"))
