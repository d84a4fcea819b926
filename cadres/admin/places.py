"""The admin of townships, villages, households, trainings and the township's plain records
(calendar, model figures, absences, transfers, quotas, memberships)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from .. import services
from ..forms import (
    AbsenceForm,
    CalendarDayForm,
)
from ..models import (
    CalendarDay,
    ContactQuota,
    ExcusedAbsence,
    Household,
    HouseholdTag,
    Membership,
    ModelFigure,
    School,
    Township,
    Training,
    TrainingAttendance,
    Transfer,
    Village,
    VillageAssignment,
    VillageGroup,
)
from ..resources import HouseholdResource, VillageResource
from ..roles import actor_for
from ..scope import (
    households_for,
    schools_for,
    trainings_for,
    villages_for,
)
from .base import (
    OfficeImportExportMixin,
    OfficeInlineMixin,
    ScopedAdminMixin,
    ScopedHistoryAdmin,
    SharedSettingsMixin,
)

# --- townships, villages, groups --------------------------------------------------------------------------


@admin.register(Township)
class TownshipAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    list_display = ["name", "code", "county", "village_count"]
    search_fields = ["name", "code"]
    township_path = "pk"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_villages=Count("villages"))

    @admin.display(description=_("村（社区）数"), ordering="n_villages")
    def village_count(self, obj: Township) -> int:
        return obj.n_villages  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class VillageGroupInline(OfficeInlineMixin, admin.TabularInline):
    model = VillageGroup
    extra = 1
    fields = ["name", "order"]


class LeadingAssignmentInline(OfficeInlineMixin, admin.TabularInline):
    """Who works in the village; changed under the cadre or in 包村联村, through the services."""

    model = VillageAssignment
    extra = 0
    fields = ["cadre", "role", "start", "end", "duties"]
    readonly_fields = ["cadre", "role", "start", "end", "duties"]
    can_delete = False
    verbose_name_plural = _("包村联村（只读，请在干部或包村联村中修改）")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(end__isnull=True).select_related("cadre")


@admin.register(Village)
class VillageAdmin(ScopedAdminMixin, OfficeImportExportMixin, ScopedHistoryAdmin):
    resource_classes = [VillageResource]
    scope = staticmethod(villages_for)
    list_display = ["name", "code", "kind", "township", "group_list", "leading_cadre", "is_active"]
    list_filter = ["kind", "is_active", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    list_select_related = ["township"]
    inlines = [VillageGroupInline, LeadingAssignmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        from ..selectors import leader_prefetch

        return super().get_queryset(request).prefetch_related("groups", leader_prefetch())

    @admin.display(description=_("村民小组"))
    def group_list(self, obj: Village) -> str:
        return "、".join(g.name for g in obj.groups.all())

    @admin.display(description=_("包村领导"))
    def leading_cadre(self, obj: Village) -> str:
        leading = getattr(obj, "leading", [])
        return leading[0].cadre.name if leading else "—"

    def save_model(self, request: HttpRequest, obj: Village, form: Any, change: bool) -> None:
        services.village_save(village=obj, actor=actor_for(request.user))


@admin.register(School)
class SchoolAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    """Schools of the township (校务公开 is theirs); the office keeps its own township's."""

    scope = staticmethod(schools_for)
    list_display = ["name", "township", "village", "is_active"]
    list_filter = ["is_active", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["township", "village"]

    def save_model(self, request: HttpRequest, obj: School, form: Any, change: bool) -> None:
        from .services.schools import school_save

        school_save(actor=actor_for(request.user), school=obj)


# --- households ------------------------------------------------------------------------------------------------


@admin.register(HouseholdTag)
class HouseholdTagAdmin(SharedSettingsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    township_path = None


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, OfficeImportExportMixin, ScopedHistoryAdmin):
    resource_classes = [HouseholdResource]
    scope = staticmethod(households_for)
    list_display = ["head_name", "village", "group", "members", "phone", "tag_list", "is_active"]
    list_filter = ["is_active", "tags", ("village", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["head_name", "phone"]
    list_select_related = ["village", "group", "group__village"]  # a group's name includes its village
    filter_horizontal = ["tags"]
    exclude = ["erased_at"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description=_("标签"))
    def tag_list(self, obj: Household) -> str:
        return "、".join(t.name for t in obj.tags.all())

    def save_model(self, request: HttpRequest, obj: Household, form: Any, change: bool) -> None:
        services.household_save(household=obj, actor=actor_for(request.user))


# --- trainings and model figures ----------------------------------------------------------------------------


class AttendanceInline(OfficeInlineMixin, admin.TabularInline):
    model = TrainingAttendance
    extra = 1
    fields = ["cadre", "present"]
    autocomplete_fields = ["cadre"]


@admin.register(Training)
class TrainingAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    scope = staticmethod(trainings_for)
    list_display = ["title", "kind", "date", "hours", "venue", "village", "attendance_summary"]
    list_filter = ["kind", ("village", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "venue"]
    list_select_related = ["village"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]
    office_may_delete = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(
            n_present=Count("attendance", filter=Q(attendance__present=True)), n_total=Count("attendance")
        )

    @admin.display(description=_("出勤"))
    def attendance_summary(self, obj: Training) -> str:
        return f"{obj.n_present}/{obj.n_total}"  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Training, form: Any, change: bool) -> None:
        services.training_save(training=obj, actor=actor_for(request.user))


@admin.register(ModelFigure)
class ModelFigureAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    list_display = ["title", "cadre", "villager_name", "village", "period_start", "period_end", "status", "source"]
    list_filter = ["status"]
    search_fields = ["title", "villager_name", "cadre__name"]
    list_select_related = ["cadre", "village"]
    autocomplete_fields = ["cadre", "village"]
    readonly_fields = ["source", "proposed_by"]
    actions = ["confirm"]
    office_may_delete = True

    @admin.action(description=_("确认所选的典型（可编入简报）"))
    def confirm(self, request: HttpRequest, queryset: QuerySet) -> None:
        from .services.figures import model_figure_confirm

        actor = actor_for(request.user)
        done = 0
        for figure in queryset.filter(status=ModelFigure.Status.PROPOSED):
            try:
                model_figure_confirm(actor=actor, figure=figure)
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
                return
            done += 1
        self.message_user(request, gettext("已确认 %(n)s 个典型。") % {"n": done})


# --- calendar, absences, transfers, quotas, memberships ------------------------------------------------------


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "name", "township"]
    list_filter = ["is_workday", ("township", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"
    office_may_delete = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = CalendarDay.objects.select_related("township")
        if request.user.is_superuser:
            return qs
        actor = actor_for(request.user)
        # National rows are shown to everyone (they are the default); a township's rows to its own people.
        own = Q(township__isnull=True)
        if actor.township_ids is None:
            return qs
        return qs.filter(own | Q(township_id__in=actor.township_ids))

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.township_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.township_id is None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        may = request.user.is_superuser

        class Form(base):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, may_edit_national=may, **kw)

        return Form


@admin.register(ExcusedAbsence)
class ExcusedAbsenceAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    form = AbsenceForm
    township_path = "cadre__township"
    list_display = ["cadre", "start", "end", "reason", "note", "recorded_by"]
    list_filter = ["reason", ("cadre__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["cadre__name", "note"]
    list_select_related = ["cadre", "recorded_by"]
    autocomplete_fields = ["cadre"]
    date_hierarchy = "start"
    office_may_delete = True

    def save_model(self, request: HttpRequest, obj: ExcusedAbsence, form: Any, change: bool) -> None:
        services.absence_save(absence=obj, actor=actor_for(request.user))


@admin.register(Transfer)
class TransferAdmin(ScopedAdminMixin, admin.ModelAdmin):
    township_path = "cadre__township"
    list_display = ["date", "cadre", "successor", "from_post", "to_post", "handed_over_summary", "by"]
    list_select_related = ["cadre", "successor", "by"]
    search_fields = ["cadre__name", "successor__name"]
    date_hierarchy = "date"
    readonly_fields = ["cadre", "successor", "date", "from_post", "to_post", "note", "handed_over", "by"]

    @admin.display(description=_("移交"))
    def handed_over_summary(self, obj: Transfer) -> str:
        labels = {"contacts": gettext("联系户"), "assignments": gettext("包村"), "matters": gettext("事项"),
                  "units": gettext("站办所")}
        return format_html_join("、", "{}{}", ((labels[k], obj.handed_over.get(k, 0)) for k in labels))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # a transfer is made with the action on 干部, so everything is handed over at once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContactQuota)
class ContactQuotaAdmin(SharedSettingsMixin, ScopedAdminMixin, ScopedHistoryAdmin):
    list_display = ["post", "poor_party_member", "farmer"]
    list_editable = ["poor_party_member", "farmer"]
    township_path = None


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    list_display = ["user", "township"]
    list_select_related = ["user", "township"]
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
