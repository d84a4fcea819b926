"""Request-level guards: the second factor where it is required, and the audit of refusals and
file exports."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.models import AuditEvent

# Set at log-in when the user has enrolled a confirmed TOTP device (portal.security.otp).
OTP_ENROLLED_SESSION_KEY = "portal_otp_enrolled"
# Set on a request once its export has been audited explicitly (portal.audit.audit_export).
EXPORT_AUDITED_ATTR = "_portal_export_audited"

_ADMIN_OPEN = ("login/", "logout/", "jsi18n/")


class OTPRequiredMiddleware:
    """Sends users who must pass a second factor, and have not, to the verification page.

    Required for everyone who enrolled a device, and for staff in /admin/ when ADMIN_REQUIRE_OTP is
    on. Reads only the session, so pages of users without a device cost no extra query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._guard(request)
        return response if response is not None else self.get_response(request)

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        session = getattr(request, "session", None)
        if session is None or not session.get("_auth_user_id"):
            return None
        path = request.path_info
        if path.startswith(("/accounts/otp/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/sw.js",
                            "/manifest.webmanifest")):
            return None
        admin_prefix = "/admin/"
        in_admin = path.startswith(admin_prefix) and not path[len(admin_prefix):].startswith(_ADMIN_OPEN)
        enrolled = bool(session.get(OTP_ENROLLED_SESSION_KEY))
        if not enrolled and not (in_admin and settings.ADMIN_REQUIRE_OTP):
            return None
        user = request.user
        if not user.is_authenticated or (not enrolled and not user.is_staff):
            return None
        if user.is_verified():  # type: ignore[union-attr,attr-defined]  # added by django-otp's middleware
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("请先完成动态验证码验证。"), "code": "otp_required", "errors": {}}, status=403
            )
        target = "portal-otp-verify" if enrolled else "portal-otp-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class SecurityAuditMiddleware:
    """Records changes made in the admin, refusals (403) and file downloads in the audit log.

    404s are not recorded: out-of-scope objects answer 404 by design (docs/design.md §4) and
    mistyped addresses are normal. Any answer sent as an attachment (CSV, XLSX, PDF, DOCX,
    evidence files) counts as an export unless the view audited it itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method == "POST"
            and request.path_info.startswith("/admin/")
            and not request.path_info[len("/admin/"):].startswith(_ADMIN_OPEN)
            and response.status_code < 400
        ):
            audit(
                AuditEvent.Kind.ADMIN_ACTION,
                request=request,
                user=user,
                detail={
                    "action": request.POST.get("action", "")[:100],
                    "selected": len(request.POST.getlist("_selected_action")),
                    "status": response.status_code,
                },
            )
        elif response.status_code == 403:
            audit(
                AuditEvent.Kind.PERMISSION_DENIED,
                request=request,
                user=user,
                detail={"method": request.method, "status": 403},
            )
        elif (
            response.status_code == 200
            and response.get("Content-Disposition", "").startswith("attachment")
            and not getattr(request, EXPORT_AUDITED_ATTR, False)
        ):
            audit(
                AuditEvent.Kind.EXPORT,
                request=request,
                user=user,
                detail={"what": request.path[:200], "file": response["Content-Disposition"][:200]},
            )
        return response
