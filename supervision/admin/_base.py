"""What every supervision admin shares: the office works by its role, scoped to its township."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from cadres.admin import OfficeAdminMixin, ScopedHistoryAdmin, is_office
from cadres.roles import actor_for
from cadres.scope import in_townships

__all__ = ["OfficeAdminMixin", "TownshipQuerysetMixin", "TownshipScopedAdmin", "is_office"]


class TownshipQuerysetMixin:
    """Whatever Django permissions a staff log-in holds, it lists only its own township's rows."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_townships(super().get_queryset(request), actor_for(request.user))  # type: ignore[misc]


class TownshipScopedAdmin(OfficeAdminMixin, ScopedHistoryAdmin):
    township_field = "township"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_townships(super().get_queryset(request), actor_for(request.user), self.township_field)
