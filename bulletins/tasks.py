"""Celery tasks: thin wrappers that take ids and ISO dates and call the services.

Transient database errors are retried with exponential backoff (capped); refusals (a published
period, a bad period) are permanent and end the job with their message instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.jobs import MAX_RETRIES, RETRY_TRANSIENT, TRANSIENT, backoff, job_fail, job_progress, job_succeed

log = logging.getLogger(__name__)


@shared_task(name="bulletins.compile", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def compile_bulletin_task(self: Any, start: str, end: str, township_id: int | None = None,
                          job_id: int | None = None, user_id: int | None = None) -> list[int]:
    """Compile [start, end] for one township (or every township); report progress on a JobRun."""
    from django.contrib.auth import get_user_model

    from cadres.models import Township
    from cadres.roles import SYSTEM, actor_for

    from .services import bulletin_compile, bulletin_compile_county

    job_progress(job_id, progress=10, message=_("正在汇总……"))
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    actor = actor_for(user) if user is not None else SYSTEM  # the page's user, or beat / the command
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    ids: list[int] = []
    refused: list[str] = []
    try:
        if township_id is not None:
            township = Township.objects.filter(pk=township_id).first()
            if township is None:
                job_fail(job_id, message=_("该乡镇已不存在。"))
                return ids
            ids = [bulletin_compile(township=township, start=first, end=last, actor=actor).pk]
        else:
            # Every township at once: counted in one pass, the drafts written together.
            compiled = bulletin_compile_county(start=first, end=last, actor=actor)
            ids = [b.pk for b in compiled.bulletins]
            names = dict(Township.objects.filter(pk__in=compiled.refused).values_list("pk", "name"))
            refused = [names[pk] for pk in compiled.refused]
    except DomainError as exc:
        job_fail(job_id, message=exc.message)
        return ids
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            job_fail(job_id, message=_("数据库暂时不可用，汇总未完成，请稍后再试。"))
            raise
        job_progress(job_id, message=_("数据库暂时不可用，稍后自动重试……"))
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
    url = reverse("bulletin-detail", args=[ids[0]]) if len(ids) == 1 else reverse("bulletins")
    message = _("已汇总%(n)s期简报草稿。") % {"n": len(ids)}
    if refused:
        message += _("%(names)s本期简报已发布，未重新汇总。") % {"names": "、".join(refused)}
    job_succeed(job_id, message=message, result_url=url)
    return ids


@shared_task(name="bulletins.compile_monthly", bind=True, acks_late=True, **RETRY_TRANSIENT)
def compile_monthly_task(self: Any, today: str | None = None) -> list[int]:
    """Beat, on the 1st: the previous month's draft for every township. Running it again updates
    the same drafts; a township whose month is already published is left alone."""
    from cadres.roles import SYSTEM

    from .services import bulletin_compile_county, previous_month_of

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    start, end = previous_month_of(day)
    compiled = bulletin_compile_county(start=start, end=end, actor=SYSTEM)
    for township_id, why in compiled.refused.items():
        log.info("bulletin of township %s for %s..%s not compiled: %s", township_id, start, end, why)
    return [b.pk for b in compiled.bulletins]


@shared_task(name="bulletins.notify_published", bind=True, acks_late=True, **RETRY_TRANSIENT)
def notify_published_task(self: Any, bulletin_id: int) -> int:
    """In-app notice to every cadre of the township with a log-in; once per bulletin (dedupe key)."""
    from django.contrib.auth import get_user_model

    from core.notifications import notify

    from .content import issue_line
    from .models import Bulletin
    from .notifications import NotificationKind

    bulletin = Bulletin.objects.filter(pk=bulletin_id, status=Bulletin.Status.PUBLISHED).first()
    if bulletin is None:
        return 0
    users = get_user_model().objects.filter(
        cadre__township_id=bulletin.township_id, cadre__is_active=True, is_active=True
    )
    return notify(
        users=users,
        kind=NotificationKind.BULLETIN_PUBLISHED,
        title=_("《%(title)s》%(issue)s已发布") % {"title": bulletin.title, "issue": issue_line(bulletin)},
        body=bulletin.editor_note[:500],
        url=reverse("bulletin-detail", args=[bulletin.pk]),
        dedupe_key=f"bulletin-published:{bulletin.pk}",
    )
