from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("干部与村组")

    def ready(self) -> None:
        from .actor_cache import connect_receivers

        connect_receivers()
