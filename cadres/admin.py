"""The office's admin (党政办) for people and places, in Chinese.

Querysets and choices are limited by the scope (cadres.scope) for everyone but superusers; the
office administers its township, other staff users get at most what Django permissions grant.
Saves, inline rows and actions go through the services, so the admin keeps the same rules as
the API. Villages, units, cadres and households import from XLSX/CSV with a preview.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from core.errors import DomainError

from . import services
from .forms import (
    AbsenceForm,
    AssignmentAdminForm,
    AssignmentInlineForm,
    CadreAdminForm,
    CalendarDayForm,
    ContactAdminForm,
    ContactInlineForm,
    TransferForm,
    UnitAdminForm,
)
from .models import (
    Cadre,
    CalendarDay,
    ContactQuota,
    ExcusedAbsence,
    Household,
    HouseholdContact,
    HouseholdTag,
    Membership,
    ModelFigure,
    School,
    Township,
    Training,
    TrainingAttendance,
    Transfer,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)
from .resources import CadreResource, HouseholdResource, UnitResource, VillageResource
from .roles import Actor, Role, actor_for
from .scope import (
    assignments_for,
    cadres_for,
    contacts_for,
    households_for,
    in_townships,
    schools_for,
    townships_for,
    trainings_for,
    units_for,
    villages_for,
)
from .selectors import quota_from_row, quota_statuses, with_quota

# What each related model's choices are limited to, for a non-superuser.
FK_SCOPES: dict[type, Callable[[Actor], QuerySet]] = {
    Township: townships_for,
    Village: villages_for,
    School: schools_for,
    Unit: units_for,
    Cadre: cadres_for,
    Household: households_for,
    Training: trainings_for,
    VillageGroup: lambda actor: VillageGroup.objects.filter(village__in=villages_for(actor)),
}


def is_office(request: HttpRequest) -> bool:
    """The office (党政办) administers by its role, whatever Django permissions its log-in holds."""
    return actor_for(request.user).has(Role.OFFICE)


def may_edit_shared(request: HttpRequest) -> bool:
    """Superusers and county-level staff edit what every township shares; a township's office reads it."""
    user = request.user
    return bool(user.is_superuser or (user.is_staff and Role.COUNTY in actor_for(user).roles))


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's object history pages behind the change view's scope and permissions.

    The history list and each version are looked up through the admin's (scoped) `get_queryset`,
    so an object the change view would not show answers 404 here too. A revert is a change: it is
    handled by the change form itself (the same permission check, the same FK scopes, the same
    read-only fields and services), so it can do nothing the change form could not.
    Superusers keep simple_history's own views.
    """

    def _history_object(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("记录不存在或不在您的管理范围内。"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not request.user.is_superuser:
            self._history_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> HttpResponse:
        if request.user.is_superuser:
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self._history_object(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        versions = history.filter(**{self.model._meta.pk.attname: obj.pk})
        if not str(version_id).isdigit() or not versions.filter(history_id=version_id).exists():
            raise Http404(gettext("记录不存在或不在您的管理范围内。"))
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        request._history_revert = True  # type: ignore[attr-defined]  # inline rows are not part of a version
        return self.changeform_view(request, object_id, extra_context=extra_context)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if getattr(request, "_history_revert", False):
            return []
        return super().get_inline_instances(request, obj)


class SharedSettingsMixin:
    """Settings every township shares: rows without a township (all rows, when `shared_field` is
    None) are read by the office and edited only by superusers and county-level staff."""

    shared_field: str | None = None

    def _shared(self, obj: Any) -> bool:
        return self.shared_field is None or getattr(obj, f"{self.shared_field}_id") is None

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if self.shared_field is None and not may_edit_shared(request):
            return False
        return super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_edit_shared(request) and (self.shared_field is None or (obj is not None and self._shared(obj))):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_edit_shared(request) and (self.shared_field is None or (obj is not None and self._shared(obj))):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        cl = super().get_changelist_instance(request)  # type: ignore[misc]
        if not may_edit_shared(request):
            cl.list_editable = ()  # a row-by-row form would save the shared rows too
        return cl

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == self.shared_field and not may_edit_shared(request):
            kwargs["required"] = True  # the office's rows are its township's, never shared ones
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class OfficeAdminMixin:
    """Choices limited to the user's scope; the office may view, add and change, and delete only
    where a model sets `office_may_delete` (superusers always may). Every app's admin uses it."""

    office_may_delete = False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        limit = FK_SCOPES.get(db_field.related_model)
        if limit is not None and not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = limit(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_office(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_office(request) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return self.office_may_delete and is_office(request)


class ScopedAdminMixin(OfficeAdminMixin):
    """Scope for querysets (and, through OfficeAdminMixin, choices and the office's permissions)."""

    scope: Callable[[Actor, QuerySet], QuerySet] | None = None
    township_path: str | None = "township"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return qs
        actor = actor_for(request.user)
        if self.scope is not None:
            return self.scope(actor, qs)  # type: ignore[misc]
        if self.township_path is None:
            return qs
        if actor.township_ids is not None and not actor.township_ids:
            return qs.none()
        return in_townships(qs, actor, self.township_path)


class ColumnExportForm(SelectableFieldsExportForm):
    """Field choices labelled by their (Chinese) column names."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else field_name


class OfficeInlineMixin:
    """Inline rows follow the same office rule as their parent page."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_change_permission(request, obj)  # type: ignore[misc]


class OfficeImportExportMixin(ImportExportMixin):
    """Imports and exports hold personal data: the office and superusers only. XLSX or CSV."""

    import_formats = [base_formats.XLSX, base_formats.CSV]
    export_formats = [base_formats.XLSX, base_formats.CSV]
    # Excel saves UTF-8 CSV with a byte-order mark.
    from_encoding = "utf-8-sig"
    export_form_class = ColumnExportForm

    def has_import_permission(self, request: HttpRequest) -> bool:
        return is_office(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return is_office(request)

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"actor": actor_for(request.user), "by": request.user}

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"actor": actor_for(request.user)}

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        form.add_error("import_file", gettext("无法读取该文件：请上传 XLSX 或 UTF-8 编码的 CSV 文件，并选择对应的格式。"))


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
        from .selectors import leader_prefetch

        return super().get_queryset(request).prefetch_related("groups", leader_prefetch())

    @admin.display(description=_("村民小组"))
    def group_list(self, obj: Village) -> str:
        return "、".join(g.name for g in obj.groups.all())

    @admin.display(description=_("包村领导"))
    def leading_cadre(self, obj: Village) -> str:
        leading = getattr(obj, "leading", [])
        return leading[0].cadre.name if leading else "—"

    def save_model(self, request: HttpRequest, obj: Village, form: Any, change: bool) -> None:
        services.village_save(village=obj, by=request.user)


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


# --- units and cadres --------------------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, OfficeImportExportMixin, ScopedHistoryAdmin):
    resource_classes = [UnitResource]
    form = UnitAdminForm
    scope = staticmethod(units_for)
    list_display = ["name", "kind", "township", "head", "leader_in_charge", "member_count", "is_active"]
    list_filter = ["kind", "is_active", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["township", "head", "leader_in_charge"]
    autocomplete_fields = ["head", "leader_in_charge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_members=Count("members", filter=Q(members__is_active=True)))

    @admin.display(description=_("在岗人数"), ordering="n_members")
    def member_count(self, obj: Unit) -> int:
        return obj.n_members  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        services.unit_save(unit=obj, by=request.user)


def _formset_with_parent(base: Any) -> Any:
    """Hands the parent cadre to each inline form, so the service can check a new row."""

    class Formset(base):  # type: ignore[misc, valid-type]
        def _construct_form(self, i: int, **kwargs: Any) -> Any:
            form = super()._construct_form(i, **kwargs)
            form.parent = self.instance
            return form

    return Formset


class AssignmentInline(OfficeInlineMixin, admin.TabularInline):
    model = VillageAssignment
    form = AssignmentInlineForm
    extra = 0
    can_delete = False
    fields = ["village", "role", "start", "end", "duties"]
    verbose_name_plural = _("包村联村（已保存的只能填写结束日期或修改职责）")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return _formset_with_parent(super().get_formset(request, obj, **kwargs))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("village").order_by("-end", "-start")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "village" and not request.user.is_superuser:
            kwargs["queryset"] = villages_for(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ContactInline(OfficeInlineMixin, admin.TabularInline):
    model = HouseholdContact
    form = ContactInlineForm
    extra = 0
    can_delete = False
    fields = ["household", "kind", "start", "end", "help_plan"]
    autocomplete_fields = ["household"]
    verbose_name_plural = _("联系户（已保存的只能填写结束日期或修改帮扶措施）")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return _formset_with_parent(super().get_formset(request, obj, **kwargs))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("household", "household__village").order_by("-end", "kind")


class QuotaFilter(admin.SimpleListFilter):
    title = _("联系户定额")
    parameter_name = "quota"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("short", _("未达定额"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() != "short":
            return queryset
        cadres = list(queryset.filter(is_active=True))
        short = [pk for pk, status in quota_statuses(cadres).items() if status.is_short]
        return queryset.filter(pk__in=short)


@admin.register(Cadre)
class CadreAdmin(ScopedAdminMixin, OfficeImportExportMixin, ScopedHistoryAdmin):
    resource_classes = [CadreResource]
    form = CadreAdminForm
    scope = staticmethod(cadres_for)
    list_display = ["name", "post", "level", "unit", "village", "reports_to", "phone", "quota", "is_active"]
    list_filter = ["is_active", "level", "post", "political_status", QuotaFilter,
                   ("unit", admin.RelatedOnlyFieldListFilter), ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "phone"]
    list_select_related = ["unit", "village", "reports_to"]
    autocomplete_fields = ["reports_to"]
    inlines = [AssignmentInline, ContactInline]
    actions = ["transfer", "align_superiors"]
    fieldsets = [
        (None, {"fields": ["township", "name", "gender", "phone", "political_status", "user"]}),
        (_("职务与层级"), {"fields": ["post", "extra_posts", "level", "unit", "village", "reports_to", "is_active"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_quota(super().get_queryset(request))

    @admin.display(description=_("联系户"))
    def quota(self, obj: Cadre) -> str:
        status = quota_from_row(obj)
        if not status.has_quota:
            return "—"
        text = f"{status.poor}+{status.farmer}/{status.required_poor}+{status.required_farmer}"
        return f"{text} " + gettext("缺%(n)s户") % {"n": status.shortfall} if status.is_short else text

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not request.user.is_superuser:
            free = Q(cadre__isnull=True, membership__isnull=True, is_superuser=False)
            kwargs["queryset"] = get_user_model().objects.filter(free)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.user_id and not request.user.is_superuser and "user" in form.base_fields:
            # Keep the current log-in selectable alongside the free ones.
            field = form.base_fields["user"]
            field.queryset = field.queryset | get_user_model().objects.filter(pk=obj.user_id)
        form.by = request.user  # leader and inspector posts are granted by superusers and the county only
        return form

    def save_model(self, request: HttpRequest, obj: Cadre, form: Any, change: bool) -> None:
        services.cadre_save(cadre=obj, by=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model not in (VillageAssignment, HouseholdContact):
            super().save_formset(request, form, formset, change)
            return
        cadre, user = form.instance, request.user
        # What the admin's change message reads (formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.forms:
            if not f.has_changed():
                continue
            row = f.instance
            if row.pk is None:
                if formset.model is VillageAssignment:
                    row = services.assignment_create(cadre=cadre, village=row.village, role=row.role,
                                                     start=row.start, end=row.end, duties=row.duties, by=user)
                else:
                    row = services.contact_create(cadre=cadre, household=row.household, kind=row.kind,
                                                  start=row.start, end=row.end, help_plan=row.help_plan, by=user)
                formset.new_objects.append(row)
                continue
            if formset.model is VillageAssignment:
                if "duties" in f.changed_data:
                    services.assignment_update_duties(assignment=row, duties=row.duties, by=user)
                if "end" in f.changed_data and row.end:
                    services.assignment_end(assignment=row, end=row.end, by=user)
            else:
                if "help_plan" in f.changed_data:
                    services.contact_update_plan(contact=row, help_plan=row.help_plan, by=user)
                if "end" in f.changed_data and row.end:
                    services.contact_end(contact=row, end=row.end, by=user)
            formset.changed_objects.append((row, f.changed_data))

    @admin.action(description=_("按职务校准所选干部的上级"))
    def align_superiors(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = services.cadres_align_superiors(cadres=list(queryset), by=request.user)
        self.message_user(request, gettext("已校准 %(n)s 名干部的上级。") % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("干部调动：把联系户、包村和未办结事项移交接替人"))
    def transfer(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, gettext("一次只能调动一名干部，请只勾选一人。"), messages.WARNING)
            return None
        cadre = queryset.select_related("unit").get()
        actor = actor_for(request.user)
        successors = cadres_for(actor) if not request.user.is_superuser else Cadre.objects.all()
        units = units_for(actor) if not request.user.is_superuser else Unit.objects.all()
        form = TransferForm(request.POST if "apply" in request.POST else None, cadre=cadre, successors=successors,
                            units=units, by=request.user)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                record = services.cadre_transfer(
                    cadre=cadre, successor=data["successor"], date=data["date"], to_post=data["to_post"] or None,
                    to_unit=data["to_unit"], note=data["note"], by=request.user,
                )
            except DomainError as exc:
                form.add_error(getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None,
                               exc.message)
            else:
                counts = record.handed_over
                self.message_user(
                    request,
                    gettext("已将%(old)s的%(c)s户联系户、%(a)s个包村、%(m)s件未办结事项移交给%(new)s。")
                    % {"old": cadre.name, "new": record.successor.name, "c": counts["contacts"],
                       "a": counts["assignments"], "m": counts["matters"]},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("干部调动：%(name)s") % {"name": cadre.name},
            "cadre": cadre,
            "form": form,
            "opts": self.model._meta,
            "action_name": "transfer",
            "selected": cadre.pk,
            "open_contacts": cadre.contacts.filter(end__isnull=True).count(),
            "open_assignments": cadre.assignments.filter(end__isnull=True).count(),
        }
        return TemplateResponse(request, "cadres/admin/transfer.html", context)


# --- assignments and contacts --------------------------------------------------------------------------------


class ActiveFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("进行中")), ("ended", _("已结束"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "active":
            return queryset.filter(end__isnull=True)
        if self.value() == "ended":
            return queryset.filter(end__isnull=False)
        return queryset


class _LinkAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    actions = ["end_today"]
    end_service: Callable[..., Any]
    end_kwarg = ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["cadre"] if obj is not None else []

    @admin.action(description=_("以今天为结束日期结束所选记录"))
    def end_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        ended, refused = 0, []
        for row in queryset.filter(end__isnull=True):
            try:
                type(self).end_service(**{self.end_kwarg: row}, end=timezone.localdate(), by=request.user)
                ended += 1
            except DomainError as exc:
                refused.append(f"{row}：{exc.message}")
        self.message_user(request, gettext("已结束 %(n)s 条。") % {"n": ended}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)


@admin.register(VillageAssignment)
class VillageAssignmentAdmin(_LinkAdmin):
    form = AssignmentAdminForm
    scope = staticmethod(assignments_for)
    end_service = staticmethod(services.assignment_end)
    end_kwarg = "assignment"
    list_display = ["cadre", "village", "role", "start", "end"]
    list_filter = [ActiveFilter, "role", ("village", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["cadre__name", "village__name"]
    list_select_related = ["cadre", "village"]
    autocomplete_fields = ["cadre", "village"]
    date_hierarchy = "start"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["cadre", "village", "role", "start"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: VillageAssignment, form: Any, change: bool) -> None:
        if not change:
            created = services.assignment_create(cadre=obj.cadre, village=obj.village, role=obj.role, start=obj.start,
                                                 end=obj.end, duties=obj.duties, by=request.user)
            obj.pk = created.pk
            return
        if "duties" in form.changed_data:
            services.assignment_update_duties(assignment=obj, duties=obj.duties, by=request.user)
        if "end" in form.changed_data and obj.end:
            services.assignment_end(assignment=obj, end=obj.end, by=request.user)


@admin.register(HouseholdContact)
class HouseholdContactAdmin(_LinkAdmin):
    form = ContactAdminForm
    scope = staticmethod(contacts_for)
    end_service = staticmethod(services.contact_end)
    end_kwarg = "contact"
    list_display = ["cadre", "household", "village", "kind", "start", "end"]
    list_filter = [ActiveFilter, "kind", ("household__village", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["cadre__name", "household__head_name"]
    list_select_related = ["cadre", "household", "household__village"]
    autocomplete_fields = ["cadre", "household"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["cadre", "household", "kind", "start"] if obj is not None else []

    @admin.display(description=_("村"), ordering="household__village__name")
    def village(self, obj: HouseholdContact) -> str:
        return obj.household.village.name

    def save_model(self, request: HttpRequest, obj: HouseholdContact, form: Any, change: bool) -> None:
        if not change:
            created = services.contact_create(cadre=obj.cadre, household=obj.household, kind=obj.kind,
                                              start=obj.start, end=obj.end, help_plan=obj.help_plan, by=request.user)
            obj.pk = created.pk
            return
        if "help_plan" in form.changed_data:
            services.contact_update_plan(contact=obj, help_plan=obj.help_plan, by=request.user)
        if "end" in form.changed_data and obj.end:
            services.contact_end(contact=obj, end=obj.end, by=request.user)


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
        services.household_save(household=obj, by=request.user)


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
        services.training_save(training=obj, by=request.user)


@admin.register(ModelFigure)
class ModelFigureAdmin(ScopedAdminMixin, ScopedHistoryAdmin):
    list_display = ["title", "cadre", "villager_name", "village", "period_start", "period_end"]
    search_fields = ["title", "villager_name", "cadre__name"]
    list_select_related = ["cadre", "village"]
    autocomplete_fields = ["cadre", "village"]
    office_may_delete = True


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
        services.absence_save(absence=obj, by=request.user)


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
