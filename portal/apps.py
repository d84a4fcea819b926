from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台")

    def ready(self) -> None:
        from . import audit, checks, schema  # noqa: F401  (registers checks, audit receivers, schema extensions)
