"""`python manage.py unlock_user USERNAME`: lift a log-in lockout (docs/design.md §6)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.security import user_unlock


class Command(BaseCommand):
    help = "解除账号的登录锁定 / Lift the log-in lockout of a username (from every address)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        cleared = user_unlock(username=username, by="manage.py unlock_user")
        if cleared:
            self.stdout.write(self.style.SUCCESS(
                f"已解除 {username} 的登录锁定（清除 {cleared} 条失败记录）/ unlocked {username}"))
        else:
            self.stdout.write(f"{username} 没有登录失败记录，无需解锁 / {username} was not locked")
