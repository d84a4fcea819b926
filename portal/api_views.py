"""Token log-in, revocation and the caller's identity."""

from __future__ import annotations

from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cadres.roles import actor_for
from cadres.scope import assigned_village_ids

from .audit import audit
from .models import AccessToken, AuditEvent, hash_secret


class TokenLoginThrottle(ScopedRateThrottle):
    """20 token log-ins a minute per address, whoever they claim to be."""

    scope = "token_login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [TokenLoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        auth=[],
        summary="Exchange a username and password for an API token",
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request, username=data.validated_data["username"], password=data.validated_data["password"]
            )
        except AxesBackendPermissionDenied:
            user = None
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {
                    "detail": _("登录失败次数过多，账号已暂时锁定，请15分钟后再试或联系党政办解锁。"),
                    "code": "locked_out",
                    "errors": {},
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {"detail": _("用户名或密码错误。"), "code": "authentication_failed", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        raw = AccessToken.generate()
        token = AccessToken.objects.create(
            user=user,
            digest=hash_secret(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
        )
        audit(AuditEvent.Kind.TOKEN_ISSUED, request=request._request, user=user, detail={"prefix": token.prefix})
        return Response({"token": raw, "expires_at": token.expires_at})


class TokenRevokeView(APIView):
    """Revoke the token this request was made with (log out of the API)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke the calling token")
    def post(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, AccessToken):
            return Response(
                {"detail": _("只有令牌登录的请求可以撤销令牌。"), "code": "invalid", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit(
            AuditEvent.Kind.TOKEN_REVOKED, request=request._request, user=request.user, detail={"prefix": token.prefix}
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "cadre": serializers.IntegerField(allow_null=True),
                "name": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
                "township": serializers.IntegerField(allow_null=True),
                "villages": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
        summary="Who am I: roles, township and villages of the caller",
    )
    def get(self, request: Request) -> Response:
        actor = actor_for(request.user)
        return Response(
            {
                "username": request.user.get_username(),
                "cadre": actor.cadre_id,
                "name": actor.cadre.name if actor.cadre else getattr(request.user, "get_full_name", str)(),
                "roles": sorted(actor.roles),
                "township": actor.township_id,
                "villages": sorted(assigned_village_ids(actor)),
            }
        )
