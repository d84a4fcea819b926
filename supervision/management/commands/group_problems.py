"""`manage.py group_problems --start 2026-11-01 --end 2026-11-30 [--township CODE]`: group a
period's recurring problems (一类事) in the foreground (the same service as the daily job and the
page's button); a rerun replaces the period's groups."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cadres.models import Township
from core.errors import DomainError
from supervision.services.problem_groups import problem_groups_refresh


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name} 不是有效日期（格式 2026-11-01）：{value}") from None


class Command(BaseCommand):
    help = "归纳一类事 / Group a period's recurring problems, e.g. --start 2026-11-01 --end 2026-11-30."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", required=True, help="2026-11-01")
        parser.add_argument("--end", required=True, help="2026-11-30")
        parser.add_argument("--township", help="乡镇行政区划代码；不填则归纳所有乡镇 / township code (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--start"), _day(options["end"], "--end")
        township_id = None
        if options.get("township"):
            township = Township.objects.filter(code=options["township"]).first()
            if township is None:
                raise CommandError(f"没有代码为 {options['township']} 的乡镇。")
            township_id = township.pk
        try:
            summary = problem_groups_refresh(start=start, end=end, township_id=township_id)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(summary.as_text()))
