"""What every admin of the portal shares: the office works by its role, choices and querysets are
limited to the actor's scope, and every save, delete, inline row and action goes through a
service (a refusal is shown as a message: core.admin_errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from core.admin_errors import ServiceErrorsAdminMixin

from ..models import (
    Cadre,
    Household,
    School,
    Township,
    Training,
    Unit,
    Village,
    VillageGroup,
)
from ..roles import Actor, Role, actor_for
from ..scope import (
    cadres_for,
    households_for,
    in_townships,
    schools_for,
    townships_for,
    trainings_for,
    units_for,
    villages_for,
)
from ..services import records
from .history import ReadableHistoryMixin

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
    return records.may_edit_shared(actor_for(request.user))


class ScopedHistoryAdmin(ServiceErrorsAdminMixin, ReadableHistoryMixin, SimpleHistoryAdmin):
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


class ViewOnlyMixin:
    """An admin page to look at, never to write through: for records only their services or jobs
    make (the audit log, job runs, problem groups). Put it first among the bases, so that it
    overrides any mixin that would allow a write."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SharedSettingsMixin:
    """Settings every township shares: rows without a township (all rows, when `shared_field` is
    None) are read by the office and edited only by superusers and county-level staff."""

    shared_field: str | None = None

    def _shared(self, obj: Any) -> bool:
        return self.shared_field is None or getattr(obj, f"{self.shared_field}_id") is None

    def record_township_id(self, obj: Any) -> int | None:
        return None if self._shared(obj) else getattr(obj, f"{self.shared_field}_id")

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


class OfficeInlineMixin:
    """The office (党政办) views, adds and changes by its role; inline rows follow this rule of
    their parent page, and OfficeAdminMixin builds on it."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_office(request) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_office(request) or super().has_change_permission(request, obj)  # type: ignore[misc]


class OfficeAdminMixin(ServiceErrorsAdminMixin, OfficeInlineMixin):
    """Choices limited to the user's scope; the office may view, add and change, and delete only
    where a model sets `office_may_delete` (superusers always may). Every app's admin uses it.

    Saves, deletes and inline rows go through cadres.services.records (the office of the record's
    township; a record every township shares, superusers and county staff) unless the admin
    overrides them with the record's own service."""

    office_may_delete = False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        limit = FK_SCOPES.get(db_field.related_model)
        if limit is not None and not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = limit(actor_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_office(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return self.office_may_delete and is_office(request)

    # --- writes, through the services ------------------------------------------------------------

    def record_township_id(self, obj: Any) -> int | None:
        """The township a record belongs to, along `township_path` (or `township_field`)."""
        path = getattr(self, "township_path", None) or getattr(self, "township_field", None)
        if not path or path == "pk":
            return obj.pk if path == "pk" else None
        *hops, last = path.split("__")
        for hop in hops:
            obj = getattr(obj, hop, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def _before(self, obj: Any) -> int | None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        return self.record_township_id(stored) if stored is not None else None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        records.record_save(record=obj, actor=actor_for(request.user), township_id=self.record_township_id(obj),
                            before=self._before(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        records.record_delete(record=obj, actor=actor_for(request.user), township_id=self.record_township_id(obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows belong to the parent's township."""
        actor, township_id = actor_for(request.user), self.record_township_id(form.instance)
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            records.record_delete(record=row, actor=actor, township_id=township_id)
        for row in rows:
            records.record_save(record=row, actor=actor, township_id=township_id, before=township_id)
        formset.save_m2m()


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
        return {"actor": actor_for(request.user)}

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"actor": actor_for(request.user)}

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        form.add_error("import_file", gettext("无法读取该文件：请上传 XLSX 或 UTF-8 编码的 CSV 文件，并选择对应的格式。"))
