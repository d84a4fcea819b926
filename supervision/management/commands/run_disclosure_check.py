"""`manage.py run_disclosure_check --quarter 2026Q3 [--township CODE]`: the quarterly check in the
foreground, with a summary (the same service as the beat job and the admin action)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cadres.models import Township
from cadres.roles import SYSTEM
from core.errors import DomainError
from supervision.quarters import parse_quarter
from supervision.services.disclosures import disclosure_check_run


class Command(BaseCommand):
    help = "运行季度村务公开检查 / Run the quarterly disclosure check, e.g. --quarter 2026Q3."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quarter", required=True, help="2026Q3")
        parser.add_argument("--township", help="乡镇行政区划代码；不填则检查所有乡镇 / township code (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            quarter = parse_quarter(options["quarter"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        township = None
        if options.get("township"):
            township = Township.objects.filter(code=options["township"]).first()
            if township is None:
                raise CommandError(f"没有代码为 {options['township']} 的乡镇。")
        try:
            summary = disclosure_check_run(year=quarter.year, quarter=quarter.quarter, township=township, actor=SYSTEM)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(summary.as_text()))
        if summary.villages_with_gaps:
            self.stdout.write("有缺项或逾期的村：" + "、".join(summary.villages_with_gaps))
