"""Admin for disclosure requirements, the rubric, disclosures and the quarterly checks (run as jobs)."""

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

from cadres.admin import ScopedHistoryAdmin, SharedSettingsMixin
from cadres.roles import actor_for
from core.models import JobRun
from supervision.admin._base import OfficeAdminMixin, TownshipScopedAdmin
from supervision.forms.disclosures import QuarterRunForm
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
)
from supervision.quarters import Quarter, QuarterError, parse_quarter
from supervision.services.check_jobs import disclosure_check_start, may_run_check


class _GeneralOrOwnTownships:
    """Lists the general rows (no township: the county's standard) and the rows of the user's own
    townships: the requirement and rubric pages read alike."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        actor = actor_for(request.user)
        if actor.township_ids is None:
            return qs
        return qs.filter(Q(township__isnull=True) | Q(township_id__in=actor.township_ids))


@admin.register(DisclosureRequirement)
class DisclosureRequirementAdmin(_GeneralOrOwnTownships, SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    shared_field = "township"  # a requirement without a township applies to every township
    list_display = ("category", "domain", "applies_to", "frequency", "due_day", "min_display_days", "township",
                    "is_active", "order")
    list_editable = ("frequency", "due_day", "min_display_days", "is_active", "order")
    list_filter = ("domain", "applies_to", "frequency", "is_active")


@admin.register(DisclosureRubric)
class DisclosureRubricAdmin(_GeneralOrOwnTownships, SharedSettingsMixin, OfficeAdminMixin, ScopedHistoryAdmin):
    shared_field = "township"  # the rubric without a township is the general standard
    list_display = ("__str__", "board_points", "content_points", "procedure_points", "missing_penalty", "late_penalty",
                    "rectification_days")


@admin.register(Disclosure)
class DisclosureAdmin(TownshipScopedAdmin):
    list_display = ("title", "subject_name", "domain", "category", "period_start", "period_end", "posted_on", "channel")
    list_filter = ("subject_kind", "domain", "channel")
    search_fields = ("title", "category", "village__name", "school__name")
    date_hierarchy = "posted_on"
    list_select_related = ("village", "school", "township")
    readonly_fields = ("township", "subject_kind", "village", "school", "requirement", "domain", "category", "title",
                       "content", "period_start",
                       "period_end", "decision_date", "posted_on", "channel", "display_days", "posted_by", "photo",
                       "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # posted from /disclosures/new/, where the rules are checked

    @admin.display(description=gettext_lazy("公开主体"))
    def subject_name(self, obj: Disclosure) -> str:
        return obj.subject_name


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
    list_display = ("subject_name", "year", "quarter", "score", "on_time_count", "late_count", "missing_count",
                    "status", "rectification_deadline")
    list_filter = ("subject_kind", "year", "quarter", "status")
    list_select_related = ("village", "school", "township")
    readonly_fields = ("township", "subject_kind", "village", "school", "year", "quarter", "score", "on_time_count", "late_count",
                       "missing_count", "checker", "compiled_at", "reviewed_at", "status", "rectification_deadline",
                       "notes")
    inlines = [DisclosureCheckItemInline]
    actions = ["rerun"]

    @admin.display(description=gettext_lazy("检查对象"), ordering="village__code")
    def subject_name(self, obj: DisclosureCheck) -> str:
        return obj.subject_name
    change_list_template = "supervision/disclosures/admin_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="supervision_disclosurecheck_run"),
            *super().get_urls(),
        ]

    def _enqueue(self, request: HttpRequest, year: int, quarter: int, township_id: int | None) -> JobRun:
        return disclosure_check_start(quarter=Quarter(year, quarter), township_id=township_id, actor=actor_for(request.user))

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
