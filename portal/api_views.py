"""Token log-in, revocation and the caller's identity."""

from __future__ import annotations

from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cadres.roles import actor_for
from cadres.scope import assigned_village_ids

from .accounts import token_refusal
from .audit import audit
from .models import AccessToken, AuditEvent, hash_secret
from .security.otp import token_login_second_factor_ok
from .throttling import TokenLoginThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=8, required=False, allow_blank=True,
        help_text="Code from the authenticator app; required when the account has two-step verification on.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


_TOKEN_ERROR = inline_serializer(
    "TokenLoginError",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(),
    },
)


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [TokenLoginThrottle]
    throttle_scope = "token_login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: _TOKEN_ERROR,
            429: _TOKEN_ERROR,
        },
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
        if not token_login_second_factor_ok(user, data.validated_data.get("otp", "")):
            audit(AuditEvent.Kind.LOGIN_FAILED, request=request._request, user=user, detail={"factor": "otp"})
            return Response(
                {"detail": _("该账号已启用两步验证：请在 otp 字段提供有效的动态验证码。"), "code": "otp_required",
                 "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        refusal = token_refusal(user)
        if refusal is not None:
            return Response(refusal, status=status.HTTP_403_FORBIDDEN)
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


# --- incremental sync: tombstones (portal.sync) ----------------------------------------------------


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id of the deleted object.")
    deleted_at = serializers.DateTimeField(help_text="When it was deleted (the last time, if more than once).")


class TombstonePagination(CursorPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("id",)


@extend_schema(
    summary="Ids deleted since a moment, for incremental sync",
    description=(
        "Objects of one resource that were deleted (or soft-deleted) at or after `updated_since` and are "
        "still gone, limited to the caller's township. Together with `updated_since=` on the resource's "
        "list this keeps a copy in step: remove these ids, then upsert the changed objects."
    ),
    parameters=[
        OpenApiParameter(
            "resource", str, required=True,
            description="The resource as named in its URL, e.g. `diaries`, `matters`, `households`, `villages`.",
        ),
        OpenApiParameter(
            "updated_since", OpenApiTypes.DATETIME, required=False,
            description="Deleted at or after this moment (ISO 8601). Without it: every deletion on record.",
        ),
    ],
)
class TombstonesView(ListAPIView):
    serializer_class = TombstoneSerializer
    pagination_class = TombstonePagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        from . import sync

        name = self.request.query_params.get("resource", "")
        if not name:
            raise ValidationError({"resource": [_("请用 resource 指定资源名称，例如 diaries。")]})
        viewset = sync.resource_viewset(name)
        if viewset is None:
            names = ", ".join(sorted(sync.registered_resources()))
            raise ValidationError({"resource": [
                _("未知的资源“%(name)s”；可用的资源：%(names)s。") % {"name": name[:50], "names": names}
            ]})
        # The caller must be allowed to list the resource itself.
        view = viewset(request=self.request, args=(), kwargs={}, action="list", format_kwarg=None)
        view.check_permissions(self.request)
        model = view.get_queryset().model
        raw = self.request.query_params.get("updated_since")
        since = sync.parse_since(raw) if raw else None
        return sync.tombstones(model, actor_for(self.request.user), since)
