"""`python manage.py run_daily_job [--date 2026-11-25]`: the 07:30 job in the foreground (docs/design.md §5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cadres.roles import SYSTEM


class Command(BaseCommand):
    help = ("督办逾期事项和规划节点，提醒漏写日记的干部（可重复运行，同一天不会重复通知）/ "
            "Escalate overdue matters and plan milestones, remind cadres.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="按哪一天运行（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        from supervision.services.diaries import diary_reminders_send
        from supervision.services.matters import matters_escalate_overdue
        from supervision.services.plans import milestones_escalate_overdue

        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
        escalated = matters_escalate_overdue(today=day, actor=SYSTEM)
        reminded = diary_reminders_send(today=day, actor=SYSTEM)
        milestones = milestones_escalate_overdue(today=day, actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(
            f"{day.isoformat()}：督办逾期事项 {escalated} 件，提醒补写日记 {reminded} 人，督办逾期规划节点 {milestones} 个 / "
            f"escalated {escalated} matters, reminded {reminded} cadres, escalated {milestones} plan milestones"
        ))
