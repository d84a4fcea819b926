from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台")

    def ready(self) -> None:
        # Registers audit receivers, schema extensions, the API key admin and the receiver
        # that ends a user's API tokens with a new password (authentication).
        from . import admin_apikeys, audit, authentication, schema  # noqa: F401
        from .admin import extend_household_admin
        from .security import checks as security_checks  # noqa: F401
        from .security import otp  # noqa: F401  (log-in receiver: session clocks, second factor)

        # Admin modules are imported by django.contrib.admin's ready(), which runs before this one.
        extend_household_admin()

        from .accounts import connect as connect_accounts

        connect_accounts()  # ending a cadre's log-in ends its sessions and tokens
