from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("作风监督")

    def ready(self) -> None:
        from core.notifications import register_kinds

        from .notifications import NotificationKind

        register_kinds(NotificationKind)

        from cadres.services.transfers import register_handover

        from .services.matters import matters_hand_over

        register_handover("matters", matters_hand_over)
