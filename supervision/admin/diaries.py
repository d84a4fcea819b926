"""Admin for diaries: read-mostly, with their comments and history (authors write in the portal)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cadres.admin import ScopedHistoryAdmin
from supervision.admin._base import TownshipQuerysetMixin
from supervision.models import Diary, DiaryComment


class DiaryCommentInline(admin.TabularInline):
    model = DiaryComment
    extra = 0
    fields = ["author", "text", "created_at"]
    readonly_fields = ["author", "text", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Diary)
class DiaryAdmin(TownshipQuerysetMixin, ScopedHistoryAdmin):
    """Diaries are written by their authors in the portal; the admin reads them and their history."""

    list_display = ["date", "author", "village", "category", "on_time", "created_at"]
    list_filter = ["category", "on_time", "township", "date"]
    search_fields = ["author__name", "village__name", "situation", "problems", "ideas"]
    date_hierarchy = "date"
    list_select_related = ["author", "village"]
    show_full_result_count = False
    inlines = [DiaryCommentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Diary._meta.fields] + ["households"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
