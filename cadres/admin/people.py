"""The admin of units, cadres (with their village assignments and household contacts inline), the
links themselves, and the actions on cadres (realign superiors, transfer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.forms import add_service_errors

from .. import services
from ..forms import (
    AssignmentAdminForm,
    AssignmentInlineForm,
    CadreAdminForm,
    ContactAdminForm,
    ContactInlineForm,
    TransferForm,
    UnitAdminForm,
)
from ..models import (
    Cadre,
    HouseholdContact,
    Unit,
    VillageAssignment,
)
from ..resources import CadreResource, UnitResource
from ..roles import actor_for
from ..scope import (
    assignments_for,
    cadres_for,
    contacts_for,
    units_for,
    villages_for,
)
from ..selectors import quota_from_row, quota_statuses, with_quota
from .base import (
    OfficeImportExportMixin,
    OfficeInlineMixin,
    ScopedAdminMixin,
    ScopedHistoryAdmin,
)

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
        services.unit_save(unit=obj, actor=actor_for(request.user))


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
        form.actor = actor_for(request.user)  # leader and inspector posts are granted by superusers and the county only
        return form

    def save_model(self, request: HttpRequest, obj: Cadre, form: Any, change: bool) -> None:
        services.cadre_save(cadre=obj, actor=actor_for(request.user))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model not in (VillageAssignment, HouseholdContact):
            super().save_formset(request, form, formset, change)
            return
        cadre, actor = form.instance, actor_for(request.user)
        # What the admin's change message reads (formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.forms:
            if not f.has_changed():
                continue
            row = f.instance
            if row.pk is None:
                if formset.model is VillageAssignment:
                    row = services.assignment_create(cadre=cadre, village=row.village, role=row.role,
                                                     start=row.start, end=row.end, duties=row.duties, actor=actor)
                else:
                    row = services.contact_create(cadre=cadre, household=row.household, kind=row.kind,
                                                  start=row.start, end=row.end, help_plan=row.help_plan, actor=actor)
                formset.new_objects.append(row)
                continue
            if formset.model is VillageAssignment:
                if "duties" in f.changed_data:
                    services.assignment_update_duties(assignment=row, duties=row.duties, actor=actor)
                if "end" in f.changed_data and row.end:
                    services.assignment_end(assignment=row, end=row.end, actor=actor)
            else:
                if "help_plan" in f.changed_data:
                    services.contact_update_plan(contact=row, help_plan=row.help_plan, actor=actor)
                if "end" in f.changed_data and row.end:
                    services.contact_end(contact=row, end=row.end, actor=actor)
            formset.changed_objects.append((row, f.changed_data))

    @admin.action(description=_("按职务校准所选干部的上级"))
    def align_superiors(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = services.cadres_align_superiors(cadres=list(queryset), actor=actor_for(request.user))
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
                            units=units, actor=actor_for(request.user))
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                record = services.cadre_transfer(
                    cadre=cadre, successor=data["successor"], date=data["date"], to_post=data["to_post"] or None,
                    to_unit=data["to_unit"], note=data["note"], actor=actor_for(request.user),
                )
            except DomainError as exc:
                add_service_errors(form, exc)
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
                type(self).end_service(**{self.end_kwarg: row}, end=timezone.localdate(), actor=actor_for(request.user))
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
                                                 end=obj.end, duties=obj.duties, actor=actor_for(request.user))
            obj.pk = created.pk
            return
        if "duties" in form.changed_data:
            services.assignment_update_duties(assignment=obj, duties=obj.duties, actor=actor_for(request.user))
        if "end" in form.changed_data and obj.end:
            services.assignment_end(assignment=obj, end=obj.end, actor=actor_for(request.user))


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
                                              start=obj.start, end=obj.end, help_plan=obj.help_plan,
                                                  actor=actor_for(request.user))
            obj.pk = created.pk
            return
        if "help_plan" in form.changed_data:
            services.contact_update_plan(contact=obj, help_plan=obj.help_plan, actor=actor_for(request.user))
        if "end" in form.changed_data and obj.end:
            services.contact_end(contact=obj, end=obj.end, actor=actor_for(request.user))
