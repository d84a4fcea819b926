from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: what every app uses and that knows no app (docs/architecture.md)."""

    name = "core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the machine checks)
            lookups,  # noqa: F401  (registers `__any_of`)
        )
