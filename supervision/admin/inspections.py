"""Admin for inspections and their findings; unannounced ones stay hidden from the office."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cadres.admin import ScopedHistoryAdmin
from cadres.roles import actor_for
from supervision.admin._base import OfficeAdminMixin
from supervision.models import (
    Inspection,
    InspectionFinding,
)
from supervision.selectors.inspections import inspections_for


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
