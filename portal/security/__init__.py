"""Security services: lockout answers, unlocking, ending a user's sessions and tokens.

The second factor lives in `portal.security.otp`, the request-level guards in
`portal.security.middleware`, audit retention in `portal.security.retention` and database
backups in `portal.security.backup`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import Actor
from core.errors import DomainError, NotAllowed
from portal.audit import acting_user, audit
from portal.models import AccessToken, AuditEvent


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，账号已暂时锁定，请%(minutes)s分钟后再试或联系党政办解锁。") % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """What a locked-out log-in gets (AXES_LOCKOUT_CALLABLE): JSON for the API, a page otherwise."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out", "errors": {}}, status=status)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_minutes": minutes}, status=status)


def user_unlock(*, username: str, by: str = "") -> int:
    """Lift the log-in lockout of a username from every address; returns the attempts cleared."""
    from axes.utils import reset

    cleared = reset(username=username)
    audit(AuditEvent.Kind.UNLOCK, username=username[:150], detail={"attempts_cleared": cleared, "by": by})
    return cleared


def user_sessions_end(*, user: Any) -> int:
    """Delete every live session of a user; returns how many.

    Sessions are not indexed by user, so the live ones are decoded one by one. Their number is
    bounded by the log-ins of the last SESSION_ABSOLUTE_TIMEOUT hours, which stays small.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_pk = str(user.pk)
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in live.iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == user_pk:
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def user_tokens_revoke(*, user: Any) -> int:
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def user_deactivate(*, user: Any, actor: Actor) -> Any:
    """Deactivate a log-in and end everything it holds: sessions and API tokens (docs/design.md §7 of issue 7).

    Safe to call again on a user who is already inactive: it sweeps sessions and tokens again.
    """
    by = acting_user(actor)
    if not (actor.is_superuser or (by is not None and by.has_perm("auth.change_user"))):
        raise NotAllowed(_("您无权停用账号。"))
    if actor.user_id == user.pk:
        raise DomainError(_("不能停用自己的账号。"))
    user_model = get_user_model()
    locked = user_model.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    sessions = user_sessions_end(user=locked)
    tokens = user_tokens_revoke(user=locked)
    audit(
        AuditEvent.Kind.ADMIN_ACTION,
        user=by,
        detail={"action": "user_deactivate", "target": locked.get_username(), "target_id": locked.pk,
                "sessions_ended": sessions, "tokens_revoked": tokens},
    )
    user.is_active = False
    return locked
