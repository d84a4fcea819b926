"""Retention of the security audit log: kept at least 180 days (the Cybersecurity Law's minimum for
network logs), AUDIT_RETENTION_DAYS by default, then deleted by a scheduled job."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from portal.audit import audit
from portal.models import AuditEvent

from .checks import MIN_AUDIT_RETENTION_DAYS


@transaction.atomic
def audit_purge(*, days: int | None = None) -> tuple[int, datetime]:
    """Delete audit events older than `days` (default AUDIT_RETENTION_DAYS); never fewer than 180.

    A queryset delete bypasses AuditEvent.delete(), which refuses single deletions: this is the
    one sanctioned way events leave the log, and it records that it ran.
    """
    keep = settings.AUDIT_RETENTION_DAYS if days is None else days
    if keep < MIN_AUDIT_RETENTION_DAYS:
        raise DomainError(_("审计日志至少保留%(min)d天，不能设为%(days)d天。") % {
            "min": MIN_AUDIT_RETENTION_DAYS, "days": keep})
    cutoff = timezone.now() - timedelta(days=keep)
    deleted, _by_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    audit(AuditEvent.Kind.ADMIN_ACTION, detail={"action": "audit_purge", "deleted": deleted,
                                               "before": cutoff.isoformat(), "days": keep})
    return deleted, cutoff
