"""Project-level tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.ping", acks_late=True)
def ping(token: str) -> str:
    """Round trip through broker and worker; records the token so a test can see the worker ran."""
    from django.core.cache import cache

    from portal.models import JobRun

    JobRun.objects.get_or_create(name="ping", params={"token": token},
                                 defaults={"status": JobRun.Status.SUCCEEDED, "progress": 100})
    cache.set(f"ping:{token}", True, 60)
    return token
