"""Demo data of the village development plans (`seed_demo`): every village of the seeded townships
has a plan drawn up by its 包村干部, most approved, some submitted or still drafts; cadre1's first
village has the greenhouse plan (日光温室发展规划), approved, with one milestone done, one due
soon (yellow) and one overdue (red).

Idempotent: skipped for a township that already has plans. Deterministic: one random stream
(`ctx.rng_for("supervision.plans:<township code>")`); dates relative to `ctx.today`. Bulk inserts with history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cadres.models import Village, VillageAssignment
from supervision.models import Plan, PlanGoal, PlanMilestone

TZ = ZoneInfo(settings.TIME_ZONE)

# (title, background, [(indicator, unit, baseline, target)], [milestone titles])
KINDS: list[tuple[str, str, list[tuple[str, str, int, int]], list[str]]] = [
    ("日光温室发展规划", "全村耕地以川水地为主，光热条件好，已有日光温室 10 座，群众有种植经验。",
     [("新建日光温室", "座", 10, 60), ("温室种植户户均增收", "元", 0, 8000)],
     ["完成温室选址和土地流转", "建成第一批日光温室 20 座", "举办温室蔬菜种植技术培训"]),
    ("人居环境整治规划", "村内道路硬化基本完成，垃圾收运和改厕仍有短板。",
     [("卫生户厕改造", "户", 40, 180), ("垃圾集中收集点", "个", 2, 8)],
     ["制定村规民约并公示", "完成第一批户厕改造", "建成垃圾集中收集点"]),
    ("肉羊养殖产业发展规划", "全村养殖户 60 余户，以散养为主，规模化程度低。",
     [("标准化养殖圈舍", "座", 5, 30), ("肉羊存栏", "只", 1200, 3000)],
     ["成立养殖专业合作社", "建成标准化圈舍 10 座", "对接屠宰加工企业签订订单"]),
    ("乡村旅游发展规划", "村内有古树和红色遗址，紧邻县道，具备发展农家乐的条件。",
     [("农家乐", "家", 1, 6), ("年接待游客", "人次", 3000, 15000)],
     ["编制旅游线路和标识", "改造农家乐 3 家", "举办乡村文化旅游节"]),
]


def seed(ctx: Any) -> None:
    user_model = get_user_model()
    users = dict(ctx.extra.get("users") or {}) or {
        u.username: u for u in user_model.objects.filter(username__in=["secretary", "cadre1"])}
    total = 0
    for township in ctx.townships or ([ctx.main_township] if ctx.main_township else []):
        if Plan.objects.filter(township=township).exists():
            continue
        with transaction.atomic():
            total += _plans(ctx, township, users)
    ctx.out(f"  supervision.demo.plans: {total} plans")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


# Long on purpose: a linear demo recipe (draft, submit, approve, follow) on one random stream.
def _plans(ctx: Any, township: Any, users: dict[str, Any]) -> int:
    rng = ctx.rng_for(f"supervision.plans:{township.code}")  # the code, not the id: the same on any database
    today: dt.date = ctx.today
    start = min(dt.date(today.year, 1, 1), today - dt.timedelta(days=90))
    end = dt.date(today.year + 2, 12, 31)
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    workers: dict[int, Any] = {}
    leaders: dict[int, Any] = {}
    for a in VillageAssignment.objects.filter(village__in=villages, end__isnull=True).select_related(
            "cadre__user").order_by("id"):
        bucket = leaders if a.role == VillageAssignment.Role.LEADER else workers
        bucket.setdefault(a.village_id, a.cadre)
    cadre1 = users.get("cadre1")
    greenhouse_village = None
    if cadre1 is not None and getattr(cadre1, "cadre", None) is not None:
        greenhouse_village = (VillageAssignment.objects.filter(cadre=cadre1.cadre, role=VillageAssignment.Role.CADRE,
                                                               village__township=township, end__isnull=True)
                              .order_by("village__code").values_list("village_id", flat=True).first())
    approver = users.get("secretary")

    plans: list[Plan] = []
    layout: list[tuple[list[tuple[str, str, int, int]], list[tuple[str, dt.date, bool]], Any]] = []
    for i, village in enumerate(villages):
        worker = workers.get(village.pk)
        greenhouse = village.pk == greenhouse_village
        kind = KINDS[0] if greenhouse else KINDS[i % len(KINDS)]
        status = Plan.Status.APPROVED if greenhouse else rng.choice(
            [Plan.Status.APPROVED] * 6 + [Plan.Status.SUBMITTED] * 2 + [Plan.Status.DRAFT])
        submitted = status != Plan.Status.DRAFT
        submitted_on = start + dt.timedelta(days=rng.randint(10, 30))
        submitter = worker.user if worker is not None and worker.user_id else None
        leader = leaders.get(village.pk)
        approved_by = approver or (leader.user if leader is not None and leader.user_id else None)
        plans.append(Plan(
            township=township, village=village, title=kind[0], background=kind[1], period_start=start,
            period_end=end, status=status, drafted_by=worker,
            submitted_at=_at(submitted_on) if submitted else None, submitted_by=submitter if submitted else None,
            approved_at=_at(submitted_on + dt.timedelta(days=5), 15) if status == Plan.Status.APPROVED else None,
            approved_by=approved_by if status == Plan.Status.APPROVED else None,
            created_at=_at(submitted_on - dt.timedelta(days=7)),
        ))
        if greenhouse:
            dues = [(kind[3][0], today - dt.timedelta(days=40), True),  # done
                    (kind[3][1], today + dt.timedelta(days=2), False),  # due soon: yellow
                    (kind[3][2], today - dt.timedelta(days=5), False)]  # overdue: red
        else:
            offsets = sorted(rng.sample(range(-60, 400), 3))
            dues = [(title, today + dt.timedelta(days=off), status == Plan.Status.APPROVED and off < -10
                     and rng.random() < 0.8) for title, off in zip(kind[3], offsets, strict=True)]
        layout.append((kind[2], dues, worker))
    plans = bulk_create_with_history(plans, Plan)
    goals: list[PlanGoal] = []
    milestones: list[PlanMilestone] = []
    for (goal_rows, dues, worker), plan in zip(layout, plans, strict=True):
        approved = plan.status == Plan.Status.APPROVED
        for order, (indicator, unit, baseline, target) in enumerate(goal_rows):
            progress = Decimal(baseline + (target - baseline) * rng.randint(10, 40) // 100) if approved else Decimal(0)
            goals.append(PlanGoal(plan=plan, indicator=indicator, unit=unit, baseline=baseline, target=target,
                                  achieved=progress, order=order,
                                  achieved_note="村两委统计" if approved else "",
                                  achieved_on=today - dt.timedelta(days=7) if approved else None))
        for title, due, done in dues:
            milestones.append(PlanMilestone(
                plan=plan, title=title, due=due, responsible=worker,
                status=PlanMilestone.Status.DONE if done else PlanMilestone.Status.OPEN,
                done_on=due - dt.timedelta(days=rng.randint(0, 5)) if done else None,
                done_note="已按期完成" if done else "",
            ))
    bulk_create_with_history(goals, PlanGoal, batch_size=500)
    bulk_create_with_history(milestones, PlanMilestone, batch_size=500)
    return len(plans)
