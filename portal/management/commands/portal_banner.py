"""Printed by `make run` before the servers start: where to go and how to log in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from core.checks import cjk_font_available

DEMO_LOGINS = [
    ("admin", "超级管理员 / superuser"),
    ("office", "党政办管理员 / office admin"),
    ("secretary", "党委书记 / party secretary"),
    ("cadre1", "机关干部 / township cadre"),
    ("cadre2", "机关干部 / township cadre"),
    ("village1", "村党支部书记 / village party secretary"),
    ("inspector", "纪委 / discipline inspector"),
    ("reporter", "报表用户 / reporting role (API)"),
]


class Command(BaseCommand):
    help = "Print the portal's address and the demo log-ins."

    def handle(self, *args: object, **options: object) -> None:
        password = settings.PORTAL["DEMO_PASSWORD"]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("干部作风建设监督平台 → http://127.0.0.1:8000"))
        self.stdout.write(f"演示账号 / demo log-ins (password: {password}):")
        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {role}")
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = "Redis" if settings.REDIS_URL else "embedded (var/broker)"
        self.stdout.write(f"数据库 / database: {db}; 消息队列 / broker: {broker}")
        if not cjk_font_available():
            self.stdout.write(
                self.style.WARNING(
                    "未安装中文字体，PDF 将无法显示中文 / no CJK font: PDFs would show boxes "
                    "(apt-get install fonts-noto-cjk)"
                )
            )
        self.stdout.write("Ctrl-C 停止全部服务 / stops everything.\n")
