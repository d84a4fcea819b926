"""Log-ins the office issues (cadres.services.accounts), seen from the web and the API.

- Ending a log-in ends its sessions and API tokens: registered with cadres from `ready()`.
- A log-in on its initial password must change it first. At log-in the session is marked (one
  query, then none on each request); while marked, every page redirects to the password change
  and every API request answers 403 `password_change_required`. A token is not issued until the
  password is changed (`token_refusal`), so the token API needs no check per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import PasswordChangeView
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.services.accounts import (
    account_password_changed,
    password_change_required,
    register_access_end,
    register_account_record,
)

SESSION_KEY = "portal_password_change_required"
CODE = "password_change_required"
_OPEN = ("/accounts/password/", "/accounts/logout/", "/accounts/otp/", "/static/", "/i18n/", "/healthz",
         "/admin/jsi18n/", "/manifest.webmanifest", "/sw.js")


def _end_sessions_and_tokens(user: Any) -> None:
    from .security import user_sessions_end, user_tokens_revoke

    user_sessions_end(user=user)
    user_tokens_revoke(user=user)


def _audit_account(*, action: str, by_id: int | None, user: Any, cadre: Any) -> None:
    from django.contrib.auth import get_user_model

    from .audit import audit
    from .models import AuditEvent

    by = get_user_model().objects.filter(pk=by_id).first() if by_id is not None else None
    audit(AuditEvent.Kind.ADMIN_ACTION, user=by, detail={
        "action": action, "target": user.get_username(), "target_id": user.pk, "cadre_id": cadre.pk,
    })


def connect() -> None:
    register_access_end(_end_sessions_and_tokens)
    register_account_record(_audit_account)


@receiver(user_logged_in, dispatch_uid="portal-accounts-initial-password")
def _mark_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if password_change_required(user):
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


def refusal_message() -> str:
    return _("您正在使用党政办发放的初始密码，请先登录网页修改密码。")


def token_refusal(user: Any) -> dict[str, Any] | None:
    """The token log-in's answer for a log-in still on its initial password (None: go ahead)."""
    if password_change_required(user):
        return {"detail": refusal_message(), "code": CODE, "errors": {}}
    return None


class PasswordChangeRequiredMiddleware:
    """Sends a session still on its initial password to the password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_KEY) or request.path_info.startswith(_OPEN):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": refusal_message(), "code": CODE, "errors": {}}, status=403)
        return redirect(reverse("password_change"))


class FirstPasswordChangeForm(PasswordChangeForm):
    def clean_new_password1(self) -> str:
        new = self.cleaned_data.get("new_password1", "")
        if new and self.user.check_password(new):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"), code="password_unchanged")
        return new


class PortalPasswordChangeView(PasswordChangeView):
    form_class = FirstPasswordChangeForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["initial_password"] = bool(self.request.session.get(SESSION_KEY))
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        account_password_changed(user=form.user)
        self.request.session.pop(SESSION_KEY, None)
        return response
