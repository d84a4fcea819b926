"""Admin for pledges, disclosures, checks and inspections (the office's back room).

Writes that carry rules go through the services (issuing, the quarterly check); the admin edits
master data (templates, requirements, rubric, grade thresholds) and reads the rest, scoped to
the office's township like every other list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.admin import FK_SCOPES, ScopedHistoryAdmin, SharedSettingsMixin
from cadres.roles import Role, actor_for
from cadres.scope import in_townships
from portal.errors import DomainError
from portal.models import JobRun
from supervision.forms.duties import QuarterRunForm
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    GradeThreshold,
    Inspection,
    InspectionFinding,
    Pledge,
    PledgeTarget,
    PledgeTemplate,
    PledgeTemplateTarget,
)
from supervision.quarters import Quarter, QuarterError, parse_quarter
from supervision.selectors.inspections import inspections_for
from supervision.selectors.pledges import eligible_pledgers
from supervision.services import pledges as pledge_services
from supervision.services.check_jobs import disclosure_check_start, may_run_check


def _office(request: HttpRequest) -> bool:
    return actor_for(request.user).has(Role.OFFICE)


class OfficeAdminMixin:
    """The office (党政办) works here by its role, whatever Django permissions its log-in holds;
    deleting stays with superusers except where a model allows the office to."""

    office_may_delete = False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        limit = FK_SCOPES.get(db_field.related_model)
        if limit is not None and not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = limit(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _office(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _office(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _office(request) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _office(request) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return self.office_may_delete and _office(request)


class TownshipScopedAdmin(OfficeAdminMixin, ScopedHistoryAdmin):
    township_field = "township"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_townships(super().get_queryset(request), actor_for(request.user), self.township_field)


# --- pledges --------------------------------------------------------------------------------------


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
                                                                     by=request.user)
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
        return self._editable(obj) and (request.user.is_superuser or _office(request))


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
        done = 0
        for pledge in queryset.filter(status=Pledge.Status.DRAFT):
            try:
                pledge_services.pledge_issue(pledge=pledge, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{pledge}：{exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("已下达%(n)s份责任书。") % {"n": done}, messages.SUCCESS)


@admin.register(GradeThreshold)
class GradeThresholdAdmin(SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    list_display = ("grade", "min_score")


# --- disclosures ----------------------------------------------------------------------------------


@admin.register(DisclosureRequirement)
class DisclosureRequirementAdmin(SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    shared_field = "township"  # a requirement without a township applies to every township
    list_display = ("category", "domain", "frequency", "due_day", "min_display_days", "township", "is_active", "order")
    list_editable = ("frequency", "due_day", "min_display_days", "is_active", "order")
    list_filter = ("domain", "frequency", "is_active")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        actor = actor_for(request.user)
        if actor.township_ids is None:
            return qs
        return qs.filter(Q(township__isnull=True) | Q(township_id__in=actor.township_ids))


@admin.register(DisclosureRubric)
class DisclosureRubricAdmin(SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    shared_field = "township"  # the rubric without a township is the general standard
    list_display = ("__str__", "board_points", "content_points", "procedure_points", "missing_penalty", "late_penalty",
                    "rectification_days")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        actor = actor_for(request.user)
        if actor.township_ids is None:
            return qs
        return qs.filter(Q(township__isnull=True) | Q(township_id__in=actor.township_ids))


@admin.register(Disclosure)
class DisclosureAdmin(TownshipScopedAdmin):
    list_display = ("title", "village", "domain", "category", "period_start", "period_end", "posted_on", "channel")
    list_filter = ("domain", "channel")
    search_fields = ("title", "category", "village__name")
    date_hierarchy = "posted_on"
    list_select_related = ("village",)
    readonly_fields = ("township", "village", "requirement", "domain", "category", "title", "content", "period_start",
                       "period_end", "decision_date", "posted_on", "channel", "display_days", "posted_by", "photo",
                       "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # posted from /disclosures/new/, where the rules are checked


class DisclosureCheckItemInline(OfficeAdminMixin, admin.TabularInline):
    model = DisclosureCheckItem
    extra = 0
    can_delete = False
    fields = ("requirement", "period_start", "period_end", "due_date", "computed_result", "result", "adjusted",
              "adjust_reason", "adjusted_by", "adjusted_at", "disclosure")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DisclosureCheck)
class DisclosureCheckAdmin(TownshipScopedAdmin):
    list_display = ("village", "year", "quarter", "score", "on_time_count", "late_count", "missing_count", "status",
                    "rectification_deadline")
    list_filter = ("year", "quarter", "status")
    list_select_related = ("village",)
    readonly_fields = ("township", "village", "year", "quarter", "score", "on_time_count", "late_count",
                       "missing_count", "checker", "compiled_at", "reviewed_at", "status", "rectification_deadline",
                       "notes")
    inlines = [DisclosureCheckItemInline]
    actions = ["rerun"]
    change_list_template = "supervision/disclosures/admin_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="supervision_disclosurecheck_run"),
            *super().get_urls(),
        ]

    def _enqueue(self, request: HttpRequest, year: int, quarter: int, township_id: int | None) -> JobRun:
        return disclosure_check_start(quarter=Quarter(year, quarter), township_id=township_id, by=request.user)

    @admin.action(description=gettext_lazy("重新运行所选检查所在季度"))
    def rerun(self, request: HttpRequest, queryset: QuerySet[DisclosureCheck]) -> HttpResponse | None:
        keys = sorted(set(queryset.values_list("year", "quarter", "township_id")))
        jobs = [self._enqueue(request, year, quarter, township_id) for year, quarter, township_id in keys]
        self.message_user(request, _("已提交%(n)s个检查任务。") % {"n": len(jobs)}, messages.SUCCESS)
        return redirect(f"{reverse('admin:supervision_disclosurecheck_run')}?job={jobs[-1].pk}") if jobs else None

    def run_view(self, request: HttpRequest) -> HttpResponse:
        """Run any past quarter's check; the page then shows the job's progress."""
        actor = actor_for(request.user)
        form = QuarterRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                quarter = parse_quarter(form.cleaned_data["quarter"])
            except QuarterError as exc:
                form.add_error("quarter", exc.message)
            else:
                if not may_run_check(actor):  # an office log-in of no township would run every township
                    form.add_error("quarter", _("您的账号未关联乡镇，不能运行检查。"))
                else:
                    started = self._enqueue(request, quarter.year, quarter.quarter, actor.township_id)
                    return redirect(f"{request.path}?job={started.pk}")
        job: JobRun | None = None
        raw = request.GET.get("job", "")
        if raw.isdigit():
            job = JobRun.objects.filter(pk=int(raw), name="disclosure_check", started_by=request.user).first()
        context = {**self.admin_site.each_context(request), "title": _("运行季度公开检查"), "form": form, "job": job,
                   "opts": self.model._meta}
        return TemplateResponse(request, "supervision/disclosures/admin_run.html", context)


# --- inspections ----------------------------------------------------------------------------------


class InspectionFindingInline(OfficeAdminMixin, admin.StackedInline):
    model = InspectionFinding
    extra = 0
    can_delete = False
    readonly_fields = ("category", "description", "action", "rectification_deadline", "rectification_report",
                       "rectified_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(OfficeAdminMixin, ScopedHistoryAdmin):
    list_display = ("title", "date", "kind", "subject_type", "published_at", "closed_at")
    list_filter = ("kind", "subject_type")
    readonly_fields = ("township", "date", "kind", "title", "subject_type", "subject_cadre", "subject_unit",
                       "subject_village", "summary", "published_at", "closed_at", "created_at", "created_by",
                       "inspectors")
    inlines = [InspectionFindingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Unannounced inspections stay with the inspectors and leaders until published.
        return inspections_for(actor_for(request.user), super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded from /inspections/new/ by the inspectors
