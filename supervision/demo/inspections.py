"""Demo data: inspections and their findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from cadres.models import Unit, Village
from cadres.roles import actor_for
from supervision.demo._common import duty_context
from supervision.models import (
    Inspection,
)
from supervision.services import inspections as inspection_services


def _inspections(ctx: Any, township: Any, users: dict[str, Any]) -> None:
    inspector = users.get("inspector")
    if inspector is None or Inspection.objects.filter(township=township).exists():
        return
    today: dt.date = ctx.today
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    units = list(Unit.objects.filter(township=township, is_active=True).order_by("id"))
    cadre2 = getattr(users.get("cadre2"), "cadre", None)
    s = inspection_services

    first = s.inspection_create(actor=actor_for(inspector), date=today - dt.timedelta(days=40), kind=Inspection.Kind.ANNOUNCED,
                                title="村务公开规范化专项督查", subject=villages[0],
                                summary="重点检查村务公开栏更新、财务公开及民主理财情况。")
    finding = s.inspection_add_finding(inspection=first, actor=actor_for(inspector), category="formalism",
                                       description="公开栏内容更新不及时，第三季度财务收支未按月公开。", action="reminder",
                                       rectification_deadline=today - dt.timedelta(days=10))
    s.inspection_publish(inspection=first, actor=actor_for(inspector))
    s.finding_raise_matter(finding=finding, actor=actor_for(inspector), village=villages[0], category="other")

    second = s.inspection_create(actor=actor_for(inspector), date=today - dt.timedelta(days=25), kind=Inspection.Kind.UNANNOUNCED,
                                 title="工作日到岗履职情况暗访", subject=units[min(2, len(units) - 1)],
                                 summary="工作日上午随机抽查站所人员在岗和服务群众情况。")
    s.inspection_add_finding(inspection=second, actor=actor_for(inspector), category="slackness",
                             description="上午九点半仍有一名工作人员未到岗，未履行请假手续。", action="interview",
                             rectification_deadline=today + dt.timedelta(days=10))

    if cadre2 is not None:
        third = s.inspection_create(actor=actor_for(inspector), date=today - dt.timedelta(days=60),
            kind=Inspection.Kind.ANNOUNCED,
                                    title="民情日记落实情况检查", subject=cadre2)
        f3 = s.inspection_add_finding(inspection=third, actor=actor_for(inspector), category="formalism",
                                      description="个别日记内容雷同，问题记录不具体。", action="reminder",
                                      rectification_deadline=today - dt.timedelta(days=30))
        s.inspection_publish(inspection=third, actor=actor_for(inspector))
        s.finding_report_rectification(finding=f3, actor=actor_for(inspector),
                                       report="已约谈提醒，本人已按要求据实记录，问题明确到户。")
        s.inspection_close(inspection=third, actor=actor_for(inspector))

    fourth = s.inspection_create(actor=actor_for(inspector), date=today - dt.timedelta(days=5), kind=Inspection.Kind.ANNOUNCED,
                                 title="惠民政策落实情况督查", subject=villages[min(1, len(villages) - 1)])
    s.inspection_add_finding(inspection=fourth, actor=actor_for(inspector), category="indifference",
                             description="群众反映临时救助申请审核时间过长。", action="",
                             rectification_deadline=today + dt.timedelta(days=20))
    ctx.out("    4 inspections")


def seed(ctx: Any) -> None:
    """Seed the inspections and their findings."""
    found = duty_context(ctx, "inspections")
    if found is None:
        return
    township, users, _office = found
    with transaction.atomic():
        _inspections(ctx, township, users)
