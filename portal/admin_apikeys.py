"""Admin for API keys: the office creates a key for a system, sees it once, and revokes it.

Imported from PortalConfig.ready(). Keys are never deleted (revoked keys stay on record with
their last use); the raw key is rendered once in the answer to the creating request and kept
nowhere, not even in the messages framework's storage.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.roles import Role, actor_for
from cadres.scope import townships_for
from core.admin_errors import each_through_service

from .apikeys import api_key_create, api_key_revoke
from .models import ApiKey

_RAW_KEY_ATTR = "_raw_api_key"


def _may_manage(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or actor_for(user).has(Role.OFFICE)))


def _township_ids(request: HttpRequest) -> frozenset[int] | None:
    """The townships whose keys the log-in manages; None: every township and county-wide keys."""
    if request.user.is_superuser:
        return None
    return actor_for(request.user).township_ids


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """A township's office sees and makes keys of its own township only; a county-wide key (no
    township) is made and seen by superusers and county-level staff."""

    list_display = ("name", "prefix", "scope", "rate", "state", "expires_at", "last_used_at", "created_by")
    list_filter = ("township", "revoked_at")
    search_fields = ("name", "prefix")
    list_select_related = ("township", "created_by")
    actions = ["revoke"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the record of who used which key stays

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        qs = super().get_queryset(request)
        township_ids = _township_ids(request)
        return qs if township_ids is None else qs.filter(township_id__in=township_ids)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "township" and _township_ids(request) is not None:
            kwargs["queryset"] = townships_for(actor_for(request.user))
            kwargs["required"] = True  # never county-wide
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return ["name", "township", "rate", "expires_at"]
        return ["name", "township", "prefix", "rate", "read_only", "expires_at", "created_by", "created_at",
                "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return []
        # A key's scope never changes: a system that needs another township gets another key.
        return ["township", "prefix", "read_only", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description=gettext_lazy("范围"), ordering="township")
    def scope(self, obj: ApiKey) -> str:
        return str(obj.township) if obj.township_id else _("全县")

    @admin.display(description=gettext_lazy("状态"))
    def state(self, obj: ApiKey) -> str:
        if obj.revoked_at is not None:
            return _("已撤销")
        if obj.expires_at <= timezone.now():
            return _("已过期")
        return _("有效")

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        township_ids = _township_ids(request)
        if township_ids is not None and obj.township_id not in township_ids:
            raise PermissionDenied(_("只能为本乡镇创建 API 密钥。"))
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = api_key_create(
            name=obj.name, township=obj.township, created_by=request.user, expires_at=obj.expires_at, rate=obj.rate,
            request=request,
        )
        # The admin logs and redirects with `obj`: make it the saved key.
        obj.__dict__.update({f.attname: getattr(key, f.attname) for f in ApiKey._meta.concrete_fields})
        obj._state.adding = False
        obj._state.db = key._state.db
        setattr(request, _RAW_KEY_ATTR, raw)

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> HttpResponse:
        raw = getattr(request, _RAW_KEY_ATTR, None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "title": _("API 密钥已创建"), "opts": self.opts,
                   "key": obj, "raw_key": raw}
        response = TemplateResponse(request, "admin/portal/apikey/key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("撤销所选密钥"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        done = each_through_service(request, queryset,
                                    lambda key: api_key_revoke(key=key, actor=actor_for(request.user), request=request), str)
        if done:
            messages.success(request, _("已撤销 %(n)d 个密钥，使用它们的请求将被拒绝。") % {"n": done})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        return {name: action for name, action in actions.items() if name == "revoke"}
