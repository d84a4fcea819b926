"""Project-level tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.ping", acks_late=True)
def ping(token: str) -> str:
    """Round trip through broker and worker; records the token so a test can see the worker ran."""
    from django.core.cache import cache

    from core.models import JobRun

    JobRun.objects.get_or_create(name="ping", params={"token": token},
                                 defaults={"status": JobRun.Status.SUCCEEDED, "progress": 100})
    cache.set(f"ping:{token}", True, 60)
    return token


@shared_task(name="portal.purge_audit", acks_late=True)
def purge_audit() -> int:
    """Daily: delete audit events past AUDIT_RETENTION_DAYS (never younger than 180 days).
    Idempotent: a second run finds nothing left to delete."""
    from portal.security.retention import audit_purge

    deleted, _cutoff = audit_purge()
    return deleted
