"""What every supervision admin shares: the office works by its role, scoped to its township."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from cadres.admin import FK_SCOPES, ScopedHistoryAdmin
from cadres.roles import Role, actor_for
from cadres.scope import in_townships


class TownshipQuerysetMixin:
    """Whatever Django permissions a staff log-in holds, it lists only its own township's rows."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_townships(super().get_queryset(request), actor_for(request.user))  # type: ignore[misc]


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
