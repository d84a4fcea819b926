"""`python manage.py compile_bulletin --start 2026-10-01 --end 2026-10-31 [--township CODE]`

Compiles the period's draft in the foreground (the same service as the monthly job and the page)
and prints a summary per township. Bad dates and refusals end with a message and exit status 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bulletins.content import issue_line, percent, period_text
from bulletins.services import bulletin_compile
from cadres.models import Township
from cadres.roles import SYSTEM
from core.errors import DomainError


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name} 日期无效：{value!r}（格式应为 YYYY-MM-DD，如 2026-10-01）") from None


class Command(BaseCommand):
    help = "汇总一个期间的作风建设简报草稿 / compile the bulletin draft of a period"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="期间起 YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="期间止 YYYY-MM-DD")
        parser.add_argument("--township", help="乡镇行政区划代码（默认：全部乡镇）")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--start"), _date(options["end"], "--end")
        townships = Township.objects.order_by("code")
        if options["township"]:
            townships = townships.filter(code=options["township"])
            if not townships.exists():
                raise CommandError(f"没有行政区划代码为 {options['township']} 的乡镇。")
        elif not townships.exists():
            raise CommandError("还没有任何乡镇，请先导入乡镇数据（或运行 seed_demo）。")
        refused = []
        for township in townships:
            try:
                bulletin = bulletin_compile(township=township, start=start, end=end, actor=SYSTEM)
            except DomainError as exc:
                refused.append(f"{township.name}：{exc.message}")
                self.stderr.write(f"{township.name}：{exc.message}")
                continue
            d, m, h = bulletin.figures["diaries"], bulletin.figures["matters"], bulletin.figures["households"]
            self.stdout.write(
                f"{township.name} {period_text(start, end)} {issue_line(bulletin)} "
                f"（简报 #{bulletin.pk}，{bulletin.get_status_display()}）："
                f"日记应写{d['expected']}篇、实写{d['written']}篇、完成率{percent(d['rate'])}；"
                f"联系户走访{h['visited']}/{h['contacts']}户；"
                f"问题新登记{m['raised']}件、办结{m['resolved']}件、逾期{m['overdue']}件。"
            )
        if refused:
            raise CommandError("未能汇总：" + "；".join(refused))
        self.stdout.write(self.style.SUCCESS(f"完成：{townships.count()}个乡镇的简报草稿已汇总。"))
