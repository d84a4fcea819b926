"""`python manage.py restore FILE` (`make restore FILE=…`): replace the database with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.security.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "用备份文件恢复数据库（覆盖现有数据）/ Restore the database from a backup (replaces all data)."
    requires_system_checks: list[str] = []  # must work even when the database is in a bad state

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="不询问确认 / do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"备份文件不存在 / no such file: {source}")
        if options["interactive"]:
            name = connection.settings_dict["NAME"]
            answer = input(f"将用 {source} 覆盖数据库 {name} 的全部数据。输入 yes 继续 / "
                           f"This replaces all data in {name}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消 / cancelled")
        try:
            restore_database(source)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"恢复完成 / restored from {source}"))
