"""`python manage.py backup [--output FILE]` (`make backup`): a consistent copy of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.security.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）/ Back up the database."
    requires_system_checks: list[str] = []  # must work even when the database is in a bad state

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", type=Path, default=None,
                            help="备份文件路径，默认 var/backups/portal-<时间>.dump / output file")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if output is not None and output.exists():
            raise CommandError(f"文件已存在，不会覆盖 / refusing to overwrite {output}")
        try:
            path = backup_database(output)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成 / backup written: {path} ({path.stat().st_size} bytes)"))
