"""Daily-loop tasks: the 07:30 job escalates overdue matters and plan milestones (督办) and
reminds cadres whose diary duty is behind. Thin and idempotent: the services dedupe per matter/cadre per day."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from core.jobs import RETRY_TRANSIENT

__all__ = ["daily_loop_task"]


@shared_task(name="supervision.daily", bind=True, acks_late=True, **RETRY_TRANSIENT)
def daily_loop_task(self, today: str | None = None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from supervision.services.diaries import diary_reminders_send
    from supervision.services.matters import matters_escalate_overdue
    from supervision.services.plans import milestones_escalate_overdue

    day = date.fromisoformat(today) if today else timezone.localdate()
    return {
        "escalated": matters_escalate_overdue(today=day),
        "reminded": diary_reminders_send(today=day),
        "milestones_escalated": milestones_escalate_overdue(today=day),
    }
