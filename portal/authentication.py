"""API authentication: `Authorization: Token <token>` for people, `Authorization: Api-Key <key>` for
systems; both revocable, expiring and stored hashed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from .models import AccessToken, ApiKey, hash_secret

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误：应为 “Token <令牌>”。"))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌含有非法字符。")) from exc
        token = AccessToken.objects.select_related("user").filter(digest=hash_secret(raw)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已撤销，请重新登录获取令牌。"))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录获取令牌。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该账号已停用。"))
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: a reporting system, acting as the reporter of its township.

    Keys are read-only: an unsafe method is refused here, before any view or service runs, so a
    refused request changes nothing (not even the key's last-used time).
    """

    keyword = "Api-Key"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        from .apikeys import ApiKeyPrincipal

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("API 密钥格式错误：应为 “Api-Key <密钥>”。"))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("API 密钥含有非法字符。")) from exc
        key = ApiKey.objects.filter(digest=hash_secret(raw)).first()
        now = timezone.now()
        if key is None or key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已撤销，请联系党政办。"))
        if key.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("API 密钥已过期，请联系党政办重新签发。"))
        if key.read_only and request.method not in SAFE_METHODS:
            request._request._portal_refused_api_key = f"api-key:{key.prefix}"  # for the audit log
            raise exceptions.PermissionDenied(_("API 密钥是只读的，不能新增、修改或删除数据。"))
        if key.last_used_at is None or now - key.last_used_at > _LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return (ApiKeyPrincipal(key), key)

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword


# --- a new password ends every token (as it ends every other session) --------------------------------


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal-revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):  # type: ignore[no-untyped-def]
    """post_save of the user model: after `set_password()` + `save()`, revoke the user's live tokens.

    Every way the portal changes a password goes through `set_password()` and then `save()` (the
    password change page, the admin's set-password form, a reset, `changepassword`); `_password`
    holds the new raw password until that save ends, and only then (Django clears it right after
    post_save). A log-in that merely re-hashes the same password with a newer hasher clears it first,
    so it revokes nothing. Registered when portal.apps imports this module."""
    if created or getattr(instance, "_password", None) is None:
        return
    from .audit import audit
    from .models import AuditEvent

    revoked = AccessToken.objects.filter(user=instance, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit(AuditEvent.Kind.TOKEN_REVOKED, user=instance,
              detail={"reason": "password_changed", "tokens": revoked})
