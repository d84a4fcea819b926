"""Admin for bulletins: read-only records with actions that call the services.

The content is edited on the bulletin's page (/bulletins/<id>/edit/), which goes through
bulletin_update; the admin never saves a bulletin itself, so freezing and history hold here too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cadres.admin import ScopedHistoryAdmin
from cadres.roles import actor_for
from cadres.scope import in_townships
from core.errors import DomainError

from .models import Bulletin
from .services import bulletin_approve, bulletin_compile, bulletin_publish


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Bulletin], service: Any,
         done: str) -> None:
    ok = 0
    for bulletin in queryset.order_by("period_start", "id"):
        try:
            service(bulletin)
        except DomainError as exc:
            modeladmin.message_user(request, f"{bulletin}：{exc.message}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)


@admin.register(Bulletin)
class BulletinAdmin(ScopedHistoryAdmin):
    list_display = ["__str__", "township", "period_start", "period_end", "status", "number", "cumulative_number",
                    "issue_date", "compiled_at", "page_link"]
    list_filter = ["status", "year", "township"]
    search_fields = ["title", "editor_note", "narrative", "outlook"]
    date_hierarchy = "period_start"
    list_select_related = ["township"]
    actions = ["recompile", "approve", "publish"]
    readonly_fields = [f.name for f in Bulletin._meta.fields] + ["page_link"]
    exclude = ["model_figures"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bulletin]:
        return in_townships(super().get_queryset(request), actor_for(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a bulletin is made by compiling a period (the page, the command or beat)

    def has_delete_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return bool(obj is not None and not obj.is_frozen and super().has_delete_permission(request, obj))

    def save_model(self, request: HttpRequest, obj: Bulletin, form: Any, change: bool) -> None:
        """Every field is read-only here; edits go through the page and bulletin_update."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing to save: see save_model."""

    @admin.display(description=_("页面"))
    def page_link(self, obj: Bulletin) -> str:
        return format_html('<a href="{}">{}</a>', reverse("bulletin-detail", args=[obj.pk]), gettext("查看/编辑"))

    @admin.action(description=_("重新汇总所选简报的期间"), permissions=["change"])
    def recompile(self, request: HttpRequest, queryset: QuerySet[Bulletin]) -> None:
        _run(self, request, queryset.select_related("township"),
             lambda b: bulletin_compile(township=b.township, start=b.period_start, end=b.period_end,
                 actor=actor_for(request.user)),
             gettext("已重新汇总%(n)s期简报。"))

    @admin.action(description=_("审核通过所选简报"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Bulletin]) -> None:
        _run(self, request, queryset, lambda b: bulletin_approve(bulletin=b, actor=actor_for(request.user)),
             gettext("已审核%(n)s期简报。"))

    @admin.action(description=_("发布所选简报"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Bulletin]) -> None:
        _run(self, request, queryset, lambda b: bulletin_publish(bulletin=b, actor=actor_for(request.user)),
             gettext("已发布%(n)s期简报。"))
