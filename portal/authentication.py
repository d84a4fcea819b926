"""API authentication: `Authorization: Token <token>` with revocable, expiring, hashed tokens."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import AccessToken, hash_secret

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
