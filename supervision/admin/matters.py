"""Admin for matters (every action calls the matter services) and the deadline rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.admin import ScopedHistoryAdmin
from cadres.roles import actor_for
from cadres.services import records
from core.errors import DomainError
from supervision.admin._base import TownshipQuerysetMixin
from supervision.models import DeadlineRule, Matter, MatterEvent
from supervision.services import matters as matter_services


class MatterEventInline(admin.TabularInline):
    model = MatterEvent
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "by", "note"]
    readonly_fields = ["at", "action", "from_status", "to_status", "by", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Matter], verb: str,
         call: Any) -> None:
    actor = actor_for(request.user)
    done, refused = 0, []
    for matter in queryset:
        try:
            call(actor, matter)
            done += 1
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
            refused.append(f"#{matter.pk}：{text}")
    if done:
        modeladmin.message_user(request, _("%(verb)s %(n)s 件。") % {"verb": verb, "n": done}, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Matter)
class MatterAdmin(TownshipQuerysetMixin, ScopedHistoryAdmin):
    """Transitions go through the services (the same rules as the pages and the API)."""

    list_display = ["id", "description_short", "village", "status", "unit", "assignee", "deadline", "escalated_on"]
    list_filter = ["status", "source", "category", "township"]
    search_fields = ["description", "external_ref", "village__name"]
    list_select_related = ["village", "unit", "assignee"]
    show_full_result_count = False
    inlines = [MatterEventInline]
    actions = ["close_matters", "start_matters"]

    @admin.display(description=gettext_lazy("问题描述"))
    def description_short(self, obj: Matter) -> str:
        return obj.description[:40]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Matter._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("销号（仅已回访的事项）"))
    def close_matters(self, request: HttpRequest, queryset: QuerySet[Matter]) -> None:
        _run(self, request, queryset, _("已销号"),
             lambda actor, m: matter_services.matter_close(actor=actor, matter=m, note=_("管理后台销号")))

    @admin.action(description=gettext_lazy("开始办理（仅已交办的事项）"))
    def start_matters(self, request: HttpRequest, queryset: QuerySet[Matter]) -> None:
        _run(self, request, queryset, _("已开始办理"),
             lambda actor, m: matter_services.matter_start(actor=actor, matter=m))


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ScopedHistoryAdmin):
    """The deadlines every township shares: kept by superusers and county staff (Django permissions
    open the page; the service checks who may change a shared setting)."""

    list_display = ["category", "days"]

    def save_model(self, request: HttpRequest, obj: DeadlineRule, form: Any, change: bool) -> None:
        records.record_save(record=obj, actor=actor_for(request.user), township_id=None)

    def delete_model(self, request: HttpRequest, obj: DeadlineRule) -> None:
        records.record_delete(record=obj, actor=actor_for(request.user), township_id=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DeadlineRule]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
