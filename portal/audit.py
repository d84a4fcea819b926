"""Writing the security audit log, and the auth events that feed it.

Receivers here log security events only; they never carry business logic (STYLE.md).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def acting_user(actor: Any) -> Any:
    """The log-in behind an actor, for the audit log's user column (None for the system or an API key)."""
    if actor is None or actor.user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=actor.user_id).first()


def audit(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None) is None:
        # An API key's principal (portal.apikeys) has no user row: it is recorded by its name.
        username = username or user.get_username()
        user = None
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None and not username and request is not None:
        # A write refused to a read-only API key is refused during authentication, so the
        # request has no user; the key is named on the request instead (portal.authentication).
        username = getattr(request, "_portal_refused_api_key", "")
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user is not None else ""),
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )


@receiver(user_logged_in, dispatch_uid="portal_audit_login")
def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit(AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="portal_audit_logout")
def _on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="portal_audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit(AuditEvent.Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


def audit_export(request: HttpRequest | None, what: str, count: int) -> AuditEvent:
    """Record an export of personal data (a download, a report file, a household's data).

    Call it from the view that sends the file; the request is then marked so the catch-all in
    portal.security.middleware does not record the same download twice.
    """
    from portal.security.middleware import EXPORT_AUDITED_ATTR

    user = getattr(request, "user", None) if request is not None else None
    # A DRF Request wraps the Django request that the middleware sees.
    request = getattr(request, "_request", request)
    if request is not None:
        setattr(request, EXPORT_AUDITED_ATTR, True)
    return audit(AuditEvent.Kind.EXPORT, request=request, user=user, detail={"what": str(what)[:200], "count": count})


@receiver(user_locked_out, dispatch_uid="portal_audit_lockout")
def _on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None,
                   ip_address: str | None = None, **kwargs: Any) -> None:
    # axes signals again for every attempt made while locked; those are already login failures.
    # The lock itself is recorded once, when the failure count reaches the limit.
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    audit(
        AuditEvent.Kind.LOCKOUT,
        request=request,
        username=(username or "")[:150],
        detail={"failures": getattr(request, "axes_failures_since_start", None), "ip": ip_address},
    )

