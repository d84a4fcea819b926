"""Admin for the cross-cutting records: the audit log (read-only), API tokens, jobs, notifications,
and log-ins (deactivating ends every session and token)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.admin import ViewOnlyMixin
from cadres.roles import Role, actor_for
from cadres.services.pyramid import PRIVILEGED_GROUPS, may_grant_roles
from core.admin_errors import each_through_service
from core.models import JobRun, Notification

from .audit import audit
from .models import AccessToken, AuditEvent
from .security import user_deactivate

User = get_user_model()


def _is_office_or_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or actor_for(user).has(Role.OFFICE)))


def users_of_townships(township_ids: frozenset[int], path: str = "") -> Q:
    """Log-ins whose cadre record or membership is in one of the townships (`path` leads to the user)."""
    return Q(**{f"{path}cadre__township_id__in": township_ids}) | Q(
        **{f"{path}membership__township_id__in": township_ids}
    )


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Viewable by the office and superusers; nobody adds, edits or deletes here.

    `user_path` names the log-in a row belongs to: a township's office sees the rows of its own
    township's log-ins (cadre record or membership), never rows of no log-in, which stay with
    superusers and county-level staff.
    """

    user_path: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        township_ids = actor_for(request.user).township_ids
        if township_ids is None:
            return qs
        if self.user_path is None or not township_ids:
            return qs.none()
        return qs.filter(pk__in=qs.model._default_manager.filter(
            users_of_townships(township_ids, f"{self.user_path}__")).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_office_or_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_office_or_superuser(request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The security audit log: append-only, kept AUDIT_RETENTION_DAYS (≥ 180), never deleted here."""

    user_path = "user"

    list_display = ("created_at", "kind", "username", "ip_address", "path")
    list_filter = ("kind", "created_at")
    search_fields = ("username", "path", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    show_full_result_count = False
    readonly_fields = ("created_at", "kind", "user", "username", "ip_address", "path", "detail")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


@admin.register(AccessToken)
class AccessTokenAdmin(ReadOnlyAdmin):
    user_path = "user"
    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("user__username", "prefix")
    list_select_related = ("user",)
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The read-only base removes "delete selected"; revoking is the one thing to do here.
        actions = super().get_actions(request)
        return {name: action for name, action in actions.items() if name == "revoke"}

    @admin.action(description=gettext_lazy("撤销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        AccessToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            audit(AuditEvent.Kind.TOKEN_REVOKED, request=request, user=request.user,
                  detail={"prefix": token.prefix, "owner": token.user.get_username()})
        messages.success(request, _("已撤销 %(n)d 个令牌。") % {"n": len(tokens)})


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """A township's office sees the jobs its township's log-ins started, less any job whose
    parameters name another township (or every township); a job of no one (beat) stays with
    superusers and county-level staff."""

    user_path = "started_by"
    list_display = ("name", "status", "progress", "started_by", "created_at", "finished_at")
    list_filter = ("status", "name")
    list_select_related = ("started_by",)
    readonly_fields = ("name", "params", "status", "progress", "message", "result_url", "started_by",
                       "created_at", "finished_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        township_ids = actor_for(request.user).township_ids
        if request.user.is_superuser or township_ids is None:
            return qs
        for key in ("township", "township_id"):  # the checks record "township", the bulletins "township_id"
            qs = qs.exclude(Q(params__has_key=key) & ~Q(**{f"params__{key}__in": list(township_ids)}))
        return qs


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "title", "created_at", "read_at")
    list_filter = ("kind", "read_at")
    search_fields = ("recipient__username", "title")
    list_select_related = ("recipient",)
    readonly_fields = ("recipient", "kind", "title", "body", "url", "dedupe_key", "created_at", "read_at")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


# --- log-ins: deactivating one ends its sessions and tokens ---------------------------------------

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Log-ins. Only superusers and county-level staff make staff or superusers, hand out
    permissions or put log-ins in the role groups (office, inspector, leader, county)."""

    actions = ["deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not may_grant_roles(actor_for(request.user)):
            fields += ["is_staff", "is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if may_grant_roles(actor_for(request.user)) or "groups" not in form.base_fields:
            return form

        class Form(form):  # type: ignore[misc, valid-type]
            def clean_groups(self) -> Any:
                groups = self.cleaned_data.get("groups")
                before = set(self.instance.groups.values_list("name", flat=True)) if self.instance.pk else set()
                added = sorted({g.name for g in groups or []} & PRIVILEGED_GROUPS - before)
                if added:
                    raise ValidationError(
                        _("角色组「%(groups)s」只能由超级管理员或县级管理员授予。") % {"groups": "、".join(added)}
                    )
                return groups

        return Form

    @admin.action(description=gettext_lazy("停用所选账号（结束其全部会话并撤销令牌）"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = each_through_service(request, queryset, lambda user: user_deactivate(user=user, actor=actor_for(request.user)),
                                    lambda user: user.get_username())
        if done:
            messages.success(request, _("已停用 %(n)d 个账号，其会话和令牌均已失效。") % {"n": done})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" by hand must end the sessions too, not only refuse new log-ins.
            user_deactivate(user=obj, actor=actor_for(request.user))


# --- households: PIPL export and erase, added to the cadres app's Household admin ------------------


@admin.action(description=gettext_lazy("导出所选农户的个人信息（JSON）"))
def export_personal_data(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    from .privacy import household_export

    if queryset.count() != 1:
        messages.error(request, _("请只选择一户导出。"))
        return None
    household = queryset.get()
    data = household_export(household, actor=actor_for(request.user), request=request)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="household-{household.pk}.json"'
    return response


@admin.action(description=gettext_lazy("删除所选农户的个人信息（不可恢复）"))
def erase_personal_data(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    from .privacy import household_erase

    if request.POST.get("confirm") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("确认删除个人信息"),
            "households": queryset,
            "opts": modeladmin.model._meta,
            "action_name": "erase_personal_data",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/portal/household_erase_confirm.html", context)
    done = each_through_service(
        request, queryset, lambda household: household_erase(household=household, actor=actor_for(request.user), request=request),
        lambda household: f"#{household.pk}")
    if done:
        messages.success(request, _("已删除 %(n)d 户的个人信息，统计数据保留。") % {"n": done})
    return None


def extend_household_admin(site: admin.AdminSite = admin.site) -> bool:
    """Add the PIPL actions to whatever admin the cadres app registered for Household.

    Called from PortalConfig.ready(), after every admin module has been imported.
    """
    from cadres.models import Household

    model_admin = site._registry.get(Household)
    if model_admin is None:
        return False
    current = list(model_admin.actions or [])
    for action in (export_personal_data, erase_personal_data):
        if action not in current:
            current.append(action)
    model_admin.actions = current
    return True
