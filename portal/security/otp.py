"""The optional TOTP second factor (django-otp), required for the admin in production.

A user enrols from /accounts/otp/setup/ by scanning a QR code and typing one code; from then
on every log-in of theirs asks for a code (/accounts/otp/), on pages and for API tokens alike.
Staff without a device who open /admin/ while ADMIN_REQUIRE_OTP is on are sent to enrol first.
"""

from __future__ import annotations

import base64
import io
import time
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from portal.audit import audit
from portal.middleware import _SEEN, _STARTED
from portal.models import AuditEvent

from .middleware import OTP_ENROLLED_SESSION_KEY

_SETUP_KEY = "portal_otp_setup_key"


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def verify_code(user: Any, token: str) -> TOTPDevice | None:
    """The user's device that accepts this code, or None. django-otp throttles repeated failures
    per device and refuses a code that was already used."""
    token = token.strip()
    if not token.isdigit():
        return None
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@receiver(user_logged_in, dispatch_uid="portal_security_login")
def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Start the session clocks at log-in, and remember whether this user must pass a second factor."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[_STARTED] = now
    session[_SEEN] = now
    if has_confirmed_device(user):
        session[OTP_ENROLLED_SESSION_KEY] = True
    else:
        session.pop(OTP_ENROLLED_SESSION_KEY, None)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        help_text=gettext_lazy("打开手机上的身份验证器应用，输入显示的6位数字。"),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


def _totp(key_hex: str) -> TOTP:
    return TOTP(unhexlify(key_hex.encode()), step=30, t0=0, digits=6, drift=0)


def _config_url(user: Any, key_hex: str) -> str:
    secret = base64.b32encode(unhexlify(key_hex.encode())).decode().rstrip("=")
    issuer = str(settings.OTP_TOTP_ISSUER)
    label = quote(f"{issuer}:{user.get_username()}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_confirmed_device(user):
        return redirect(f"/accounts/otp/setup/?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session[OTP_ENROLLED_SESSION_KEY] = True
            return redirect(_next_url(request))
        audit(AuditEvent.Kind.LOGIN_FAILED, request=request, user=user, detail={"factor": "otp"})
        form.add_error("token", _("验证码不正确或已过期，请重新输入。"))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    enrolled = has_confirmed_device(user)
    if enrolled and not user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(f"/accounts/otp/?{urlencode({'next': _next_url(request)})}")
    if enrolled:
        if request.method == "POST" and request.POST.get("action") == "disable":
            if settings.ADMIN_REQUIRE_OTP and user.is_staff:
                messages.error(request, _("管理员账号必须启用两步验证，不能关闭。"))
            else:
                TOTPDevice.objects.filter(user=user).delete()
                request.session.pop(OTP_ENROLLED_SESSION_KEY, None)
                audit(AuditEvent.Kind.ADMIN_ACTION, request=request, user=user, detail={"action": "otp_disabled"})
                messages.success(request, _("已关闭两步验证。"))
                return redirect("portal-otp-setup")
        return render(request, "registration/otp_setup.html", {"enrolled": True, "next": _next_url(request)})

    key = request.session.get(_SETUP_KEY) or default_key()
    request.session[_SETUP_KEY] = key
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = _totp(key)
        code = form.cleaned_data["token"].strip()
        if code.isdigit() and totp.verify(int(code), tolerance=1):
            device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), key=key, confirmed=True,
                                               last_t=totp.t())
            otp_login(request, device)
            request.session[OTP_ENROLLED_SESSION_KEY] = True
            request.session.pop(_SETUP_KEY, None)
            audit(AuditEvent.Kind.ADMIN_ACTION, request=request, user=user, detail={"action": "otp_enabled"})
            messages.success(request, _("两步验证已启用。"))
            return redirect(_next_url(request))
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重新输入。"))
    url = _config_url(user, key)
    secret = base64.b32encode(unhexlify(key.encode())).decode().rstrip("=")
    return render(request, "registration/otp_setup.html", {
        "enrolled": False, "form": form, "qr": _qr_data_uri(url), "secret": secret, "next": _next_url(request),
        "required": settings.ADMIN_REQUIRE_OTP and user.is_staff,
    })


def token_login_second_factor_ok(user: Any, token: str) -> bool:
    """For the API token log-in: users with a device must send a valid code."""
    if not has_confirmed_device(user):
        return True
    return bool(token) and verify_code(user, token) is not None
