"""System checks for the security configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

MIN_AUDIT_RETENTION_DAYS = 180


@register()
def check_audit_retention(app_configs: Any, **kwargs: Any) -> list[Error]:
    days = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    if days < MIN_AUDIT_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS={days} is below the 180 days the Cybersecurity Law requires for network logs.",
                hint="Set AUDIT_RETENTION_DAYS to 180 or more.",
                id="portal.E010",
            )
        ]
    return []
