"""`python manage.py rebuild_diary_months [--check]`: count the diaries by month afresh
(supervision.models.DiaryMonth, which the completeness report reads for whole months). The
database's triggers keep it as diaries are written; this is for a database restored without them
or to check it. PostgreSQL only: elsewhere the report counts the diaries and the table is not read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "按月重新统计民情日记（完成率报表读取的汇总表）/ Count the diaries by month afresh."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true",
                            help="只检查汇总表与日记是否一致，不改动 / only check it against the diaries")

    def handle(self, *args: Any, **options: Any) -> None:
        from supervision.services.diary_months import differences, rebuild

        if connection.vendor != "postgresql":
            self.stdout.write("仅用于 PostgreSQL：其他数据库的报表直接统计日记 / PostgreSQL only: nothing to do")
            return
        if options["check"]:
            wrong = differences()
            if wrong:
                raise CommandError(f"汇总表有 {wrong} 行与日记不一致，请运行 rebuild_diary_months / "
                                   f"{wrong} rows differ from the diaries: run rebuild_diary_months")
            self.stdout.write(self.style.SUCCESS("汇总表与日记一致 / the months agree with the diaries"))
            return
        rows = rebuild()
        self.stdout.write(self.style.SUCCESS(f"{rows} 行已统计 / rows counted"))
