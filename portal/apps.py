from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台")

    def ready(self) -> None:
        # Registers checks, audit receivers, schema extensions and the API key admin.
        from . import admin_apikeys, audit, checks, schema  # noqa: F401
        from .admin import extend_household_admin
        from .security import checks as security_checks  # noqa: F401
        from .security import otp  # noqa: F401  (log-in receiver: session clocks, second factor)

        from django.conf import settings
        from django.db.models.signals import post_save

        from .authentication import revoke_tokens_on_password_change

        post_save.connect(revoke_tokens_on_password_change, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="portal-revoke-tokens-on-password-change")

        # Admin modules are imported by django.contrib.admin's ready(), which runs before this one.
        extend_household_admin()
