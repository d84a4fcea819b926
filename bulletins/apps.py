from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("作风建设简报")

    def ready(self) -> None:
        from core.notifications import register_kinds

        from .notifications import NotificationKind

        register_kinds(NotificationKind)
