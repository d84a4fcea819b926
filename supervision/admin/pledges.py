"""Admin for pledge templates, pledges and grade thresholds (issuing goes through the pledge services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.admin import ScopedHistoryAdmin, SharedSettingsMixin
from cadres.roles import actor_for
from core.admin_errors import each_through_service
from core.errors import DomainError
from supervision.admin._base import OfficeAdminMixin, TownshipScopedAdmin, is_office
from supervision.models import (
    GradeThreshold,
    Pledge,
    PledgeTarget,
    PledgeTemplate,
    PledgeTemplateTarget,
)
from supervision.selectors.pledges import eligible_pledgers
from supervision.services import pledges as pledge_services


class PledgeTemplateTargetInline(OfficeAdminMixin, admin.TabularInline):
    model = PledgeTemplateTarget
    office_may_delete = True
    extra = 1
    fields = ("order", "kind", "task", "indicator", "points", "assessing_unit", "scoring_rule", "auto_source")


@admin.register(PledgeTemplate)
class PledgeTemplateAdmin(TownshipScopedAdmin):
    office_may_delete = True
    list_display = ("name", "year", "level", "township", "base_total")
    list_filter = ("year", "level")
    inlines = [PledgeTemplateTargetInline]
    actions = ["issue_to_all"]

    @admin.display(description=gettext_lazy("基础目标合计"))
    def base_total(self, obj: PledgeTemplate) -> str:
        return pledge_services.points_text(pledge_services.base_points_total(obj.targets.all()))

    @admin.action(description=gettext_lazy("下达给所有适用对象（会签人按组织关系自动确定）"))
    def issue_to_all(self, request: HttpRequest, queryset: QuerySet[PledgeTemplate]) -> None:
        for template in queryset:
            pledgers = eligible_pledgers(template)
            if not pledgers:
                self.message_user(request, _("%(t)s：所有适用对象均已有责任书。") % {"t": template}, messages.INFO)
                continue
            try:
                created = pledge_services.pledge_issue_from_template(template=template, pledgers=pledgers,
                                                                     actor=actor_for(request.user))
            except DomainError as exc:
                self.message_user(request, f"{template}：{exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(t)s：已下达%(n)s份责任书。") % {"t": template, "n": len(created)},
                                  messages.SUCCESS)


class PledgeTargetInline(OfficeAdminMixin, admin.TabularInline):
    model = PledgeTarget
    extra = 0
    fields = ("order", "kind", "task", "indicator", "points", "assessing_unit", "scoring_rule", "auto_source")

    def _editable(self, obj: Pledge | None) -> bool:
        return obj is not None and obj.status == Pledge.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and (request.user.is_superuser or is_office(request))


@admin.register(Pledge)
class PledgeAdmin(TownshipScopedAdmin):
    list_display = ("__str__", "year", "level", "superior", "status", "total_score", "grade")
    list_filter = ("year", "level", "status", "grade")
    search_fields = ("title", "pledger_village__name", "pledger_unit__name", "pledger_cadre__name")
    list_select_related = ("pledger_village", "pledger_unit", "pledger_cadre", "superior")
    inlines = [PledgeTargetInline]
    actions = ["issue_drafts"]
    readonly_fields = ("township", "year", "level", "template", "pledger_village", "pledger_unit", "pledger_cadre",
                       "superior", "status", "issued_at", "signed_at", "signed_by", "countersigned_at",
                       "countersigned_by", "assessed_at", "total_score", "grade", "scan")
    fields = ("title", "bonus_cap", *readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pledges are issued from templates (the chain rules live in the service)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != Pledge.Status.DRAFT:
            return (*self.readonly_fields, "title", "bonus_cap")
        return self.readonly_fields

    @admin.action(description=gettext_lazy("下达所选草稿"))
    def issue_drafts(self, request: HttpRequest, queryset: QuerySet[Pledge]) -> None:
        done = each_through_service(
            request, queryset.filter(status=Pledge.Status.DRAFT),
            lambda pledge: pledge_services.pledge_issue(pledge=pledge, actor=actor_for(request.user)), str)
        self.message_user(request, _("已下达%(n)s份责任书。") % {"n": done}, messages.SUCCESS)


@admin.register(GradeThreshold)
class GradeThresholdAdmin(SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    list_display = ("grade", "min_score")
