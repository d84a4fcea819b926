"""Demo data of the duties (`seed_demo`), for the main township:

- this year's pledge templates (one per level) and the whole pledge chain issued from them, in
  every state (草稿, 已下达, 责任方已签, 已会签, 已考核); cadre1 and cadre2 each have an issued
  pledge to sign, and village1's village has one waiting for the township head;
- disclosures of this year's past quarters with realistic gaps and late postings, and the
  quarterly checks of those quarters (run through the check service; the earlier ones reviewed);
- inspections with findings: published, confidential (暗访), closed, and one raised as a matter.

Idempotent: each part is skipped when the township already has its rows. Deterministic: one
random stream (`ctx.rng_for("supervision.duties")`). Fast: bulk inserts; the services are used
where a handful of rows go through them (issuing, the check, inspections).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import DEPUTY_POSTS, Cadre, Post, Unit, Village
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureRequirement,
    Inspection,
    Pledge,
    PledgeLevel,
    PledgeTemplate,
    PledgeTemplateTarget,
    TargetKind,
    TargetProgress,
)
from supervision.quarters import Quarter, current_quarter, last_due_quarter
from supervision.services import disclosures as disclosure_services
from supervision.services import inspections as inspection_services
from supervision.services import pledges as pledge_services

TZ = ZoneInfo(settings.TIME_ZONE)

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

DISCLOSURE_TITLES = {
    "村务工作计划及落实情况": "村务工作计划及落实情况公开",
    "惠农补贴及救助资金发放": "惠农补贴及救助资金发放明细",
    "低保、五保及救助对象": "低保、特困供养及临时救助对象公示",
    "宅基地使用及集体土地承包": "宅基地审批及集体土地承包情况",
    "党员发展与党费收缴": "党员发展及党费收缴情况",
    "村级财务收支": "村级财务收支明细",
    "重大事项（一事一议、工程项目）": "一事一议项目公示",
    "年度村务与财务审计结果": "年度村务与财务审计结果",
}


def seed(ctx: Any) -> None:
    township = ctx.main_township
    if township is None:
        ctx.out("  supervision.demo_duties: no main township, skipped")
        return
    rng = ctx.rng_for("supervision.duties")
    users = _demo_users(ctx)
    office = users.get("office")
    if office is None:
        ctx.out("  supervision.demo_duties: no office log-in, skipped")
        return
    with transaction.atomic():
        _pledges(ctx, township, office, users, rng)
    with transaction.atomic():
        _disclosures(ctx, township, rng)
    _checks(ctx, township, office)
    with transaction.atomic():
        _inspections(ctx, township, users)


def _demo_users(ctx: Any) -> dict[str, Any]:
    users = dict(ctx.extra.get("users") or {})
    if not users:
        user_model = get_user_model()
        users = {u.username: u for u in user_model.objects.filter(
            username__in=["office", "secretary", "cadre1", "cadre2", "village1", "inspector"])}
    return users


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


# --- pledges --------------------------------------------------------------------------------------


def _pledges(ctx: Any, township: Any, office: Any, users: dict[str, Any], rng: random.Random) -> None:
    today: dt.date = ctx.today
    year = today.year
    if Pledge.objects.filter(township=township, year=year).exists():
        ctx.out("    pledges already seeded")
        return
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
            issued += pledge_services.pledge_issue_from_template(template=templates[level], pledgers=issue, by=office)
        if drafts:
            pledge_services.pledge_issue_from_template(template=templates[level], pledgers=drafts, by=office,
                                                       issue=False)

    # Move most of the chain along: the higher the level, the further along (leaders sign first).
    issued_on = dt.date(year, 3, 1)
    signed_rows: list[Pledge] = []
    for pledge in issued:
        pledge.issued_at = _at(issued_on, 9)
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
        signer = _signer(pledge, village1)
        if signer is None:
            continue
        pledge.status = Pledge.Status.SIGNED
        pledge.signed_by = signer
        pledge.signed_at = _at(issued_on + dt.timedelta(days=rng.randint(2, 20)), 15)
        if stage == "countersigned":
            pledge.status = Pledge.Status.COUNTERSIGNED
            pledge.countersigned_by = pledge.superior
            pledge.countersigned_at = pledge.signed_at + dt.timedelta(days=rng.randint(1, 10))
        signed_rows.append(pledge)
    bulk_update_with_history(issued, Pledge, ["issued_at", "status", "signed_by", "signed_at", "countersigned_by",
                                              "countersigned_at"], default_change_reason="demo")
    effective = [p for p in signed_rows if p.status == Pledge.Status.COUNTERSIGNED]
    _progress(effective, today, rng)
    _assess(effective, office, rng, count=4)
    ctx.out(f"    {len(issued)} pledges issued, {len(signed_rows)} signed, {len(effective)} in force")


def _signer(pledge: Pledge, village1: Cadre | None) -> Cadre | None:
    if pledge.pledger_cadre_id:
        return pledge.pledger_cadre
    if pledge.pledger_unit_id:
        return pledge.pledger_unit.head if pledge.pledger_unit else None
    if village1 is not None and village1.village_id == pledge.pledger_village_id:
        return village1
    return (
        Cadre.objects.filter(village_id=pledge.pledger_village_id, is_active=True)
        .filter(Q(post=Post.VILLAGE_SECRETARY) | Q(post=Post.VILLAGE_DIRECTOR)).order_by("post", "id").first()
    )


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


def _assess(pledges: list[Pledge], office: Any, rng: random.Random, *, count: int) -> None:
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
        pledge_services.pledge_assess(pledge=pledge, results=results, by=office)


# --- disclosures and checks --------------------------------------------------------------------------


def _disclosures(ctx: Any, township: Any, rng: random.Random) -> None:
    today: dt.date = ctx.today
    if Disclosure.objects.filter(township=township).exists():
        ctx.out("    disclosures already seeded")
        return
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    posters = {c.village_id: c for c in Cadre.objects.filter(
        township=township, post=Post.VILLAGE_SECRETARY, is_active=True).order_by("id") if c.village_id}
    requirements = disclosure_services.requirements_for(township.pk)
    rows: list[Disclosure] = []
    quarter = Quarter(today.year, 1)
    while quarter.end < today:
        for village_index, village in enumerate(villages):
            # Two villages are sloppy (gaps and late postings); the first village misses one item.
            sloppy = village_index in (2, 5)
            for requirement in requirements:
                if requirement.frequency == DisclosureRequirement.Frequency.IMMEDIATE:
                    for _n in range(rng.randint(0, 1)):
                        decided = quarter.start + dt.timedelta(days=rng.randint(5, 80))
                        delay = rng.choice([1, 2, 3, 4, 8]) if not sloppy else rng.randint(3, 12)
                        rows.append(_disclosure(village, requirement, decided, decided, decided + dt.timedelta(
                            days=delay), posters, decision=decided))
                    continue
                for period in disclosure_services.periods(requirement, quarter):
                    roll = rng.random()
                    if village_index == 0 and quarter == last_due_quarter(today) and \
                            requirement.frequency == DisclosureRequirement.Frequency.QUARTERLY and roll < 0.5:
                        continue  # 东河村 misses an item last quarter: village1 has a gap to rectify
                    if (sloppy and roll < 0.2) or roll < 0.03:
                        continue  # missing
                    late = (sloppy and roll < 0.45) or roll < 0.1
                    posted = period.due + dt.timedelta(days=rng.randint(2, 15)) if late else \
                        period.due - dt.timedelta(days=rng.randint(1, 9))
                    if posted > today:
                        continue
                    rows.append(_disclosure(village, requirement, period.start, period.end, posted, posters))
        quarter = quarter.next()
    bulk_create_with_history(rows, Disclosure, batch_size=500)
    ctx.out(f"    {len(rows)} disclosures")


def _disclosure(village: Village, requirement: DisclosureRequirement, start: dt.date, end: dt.date,
                posted: dt.date, posters: dict[int, Cadre], *, decision: dt.date | None = None) -> Disclosure:
    title = DISCLOSURE_TITLES.get(requirement.category, requirement.category)
    period = f"{start:%Y年%m月}" if start.month == end.month else f"{start:%Y年%m月}至{end:%m月}"
    return Disclosure(
        township_id=village.township_id, village=village, requirement=requirement, domain=requirement.domain,
        category=requirement.category, title=f"{village.name}{period}{title}",
        content=f"{title}（{period}）。详见公开栏，群众如有疑问请与村务监督委员会联系。",
        period_start=start, period_end=end, decision_date=decision, posted_on=posted,
        channel=Disclosure.Channel.BOARD, display_days=max(10, requirement.min_display_days),
        posted_by=posters.get(village.pk), created_at=_at(posted, 16),
    )


def _checks(ctx: Any, township: Any, office: Any) -> None:
    """This year's checks up to the last quarter that fell due (the service is idempotent)."""
    today: dt.date = ctx.today
    last = last_due_quarter(today)
    quarter = Quarter(last.year, 1)
    while quarter <= last:
        summary = disclosure_services.disclosure_check_run(year=quarter.year, quarter=quarter.quarter,
                                                           township=township, today=quarter.check_date)
        if quarter < last:
            for check in DisclosureCheck.objects.filter(township=township, year=quarter.year, quarter=quarter.quarter,
                                                        status=DisclosureCheck.Status.COMPILED):
                disclosure_services.disclosure_check_review(check=check, by=office, notes="已核查公开栏。")
        ctx.out(f"    {summary.as_text()}")
        quarter = quarter.next()


# --- inspections ----------------------------------------------------------------------------------


def _inspections(ctx: Any, township: Any, users: dict[str, Any]) -> None:
    inspector = users.get("inspector")
    if inspector is None or Inspection.objects.filter(township=township).exists():
        return
    today: dt.date = ctx.today
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    units = list(Unit.objects.filter(township=township, is_active=True).order_by("id"))
    cadre2 = getattr(users.get("cadre2"), "cadre", None)
    s = inspection_services

    first = s.inspection_create(by=inspector, date=today - dt.timedelta(days=40), kind=Inspection.Kind.ANNOUNCED,
                                title="村务公开规范化专项督查", subject=villages[0],
                                summary="重点检查村务公开栏更新、财务公开及民主理财情况。")
    finding = s.inspection_add_finding(inspection=first, by=inspector, category="formalism",
                                       description="公开栏内容更新不及时，第三季度财务收支未按月公开。", action="reminder",
                                       rectification_deadline=today - dt.timedelta(days=10))
    s.inspection_publish(inspection=first, by=inspector)
    s.finding_raise_matter(finding=finding, by=inspector, village=villages[0], category="other")

    second = s.inspection_create(by=inspector, date=today - dt.timedelta(days=25), kind=Inspection.Kind.UNANNOUNCED,
                                 title="工作日到岗履职情况暗访", subject=units[min(2, len(units) - 1)],
                                 summary="工作日上午随机抽查站所人员在岗和服务群众情况。")
    s.inspection_add_finding(inspection=second, by=inspector, category="slackness",
                             description="上午九点半仍有一名工作人员未到岗，未履行请假手续。", action="interview",
                             rectification_deadline=today + dt.timedelta(days=10))

    if cadre2 is not None:
        third = s.inspection_create(by=inspector, date=today - dt.timedelta(days=60), kind=Inspection.Kind.ANNOUNCED,
                                    title="民情日记落实情况检查", subject=cadre2)
        f3 = s.inspection_add_finding(inspection=third, by=inspector, category="formalism",
                                      description="个别日记内容雷同，问题记录不具体。", action="reminder",
                                      rectification_deadline=today - dt.timedelta(days=30))
        s.inspection_publish(inspection=third, by=inspector)
        s.finding_report_rectification(finding=f3, by=inspector,
                                       report="已约谈提醒，本人已按要求据实记录，问题明确到户。")
        s.inspection_close(inspection=third, by=inspector)

    fourth = s.inspection_create(by=inspector, date=today - dt.timedelta(days=5), kind=Inspection.Kind.ANNOUNCED,
                                 title="惠民政策落实情况督查", subject=villages[min(1, len(villages) - 1)])
    s.inspection_add_finding(inspection=fourth, by=inspector, category="indifference",
                             description="群众反映临时救助申请审核时间过长。", action="",
                             rectification_deadline=today + dt.timedelta(days=20))
    ctx.out("    4 inspections")
