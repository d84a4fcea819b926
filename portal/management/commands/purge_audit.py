"""`python manage.py purge_audit [--days N]`: delete audit events older than the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from portal.security.retention import audit_purge


class Command(BaseCommand):
    help = "删除超过保存期限的安全审计日志（至少保留180天）/ Delete audit events past the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="保存天数，默认 AUDIT_RETENTION_DAYS；不得少于180 / days to keep (≥ 180)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deleted, cutoff = audit_purge(days=options["days"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已删除 {deleted} 条 {cutoff:%Y-%m-%d} 之前的审计日志 / deleted {deleted} events before {cutoff:%Y-%m-%d}"))
