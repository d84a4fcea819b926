"""Admin for the party committee's agenda items (marking major, the consultation and the decision go
through the agenda services) and, read only, the groups of recurring problems (一类事)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from cadres.admin import ScopedHistoryAdmin, ViewOnlyMixin
from cadres.roles import actor_for
from core.errors import DomainError
from supervision.admin._base import OfficeAdminMixin, TownshipQuerysetMixin
from supervision.models import AgendaItem, ProblemGroup
from supervision.services import agenda as agenda_services


@admin.register(AgendaItem)
class AgendaItemAdmin(TownshipQuerysetMixin, ScopedHistoryAdmin):
    """Adopting happens on the diary page; here the office records the committee's decision."""

    list_display = ["title", "source", "is_major", "status", "adopted_by", "adopted_at", "meeting_date"]
    list_filter = ["status", "source", "is_major", "township"]
    search_fields = ["title", "decision"]
    list_select_related = ["adopted_by"]
    fields = ["title", "source", "diary", "adopted_by", "adopted_at", "is_major", "consultation_method",
              "consultation_from", "consultation_summary", "consultation_start", "consultation_end",
              "consultation_recorded_at", "status", "meeting_date", "decision", "decided_at", "decided_by",
              "disclosure"]
    CONSULTATION = ["consultation_method", "consultation_from", "consultation_summary", "consultation_start",
                    "consultation_end"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        locked = ["title", "source", "diary", "adopted_by", "adopted_at", "status", "decided_at", "decided_by",
                  "consultation_recorded_at", "disclosure"]
        if obj is not None and obj.status == AgendaItem.Status.DECIDED:
            locked += ["meeting_date", "decision", "is_major", *self.CONSULTATION]
        return locked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AgendaItem, form: Any, change: bool) -> None:
        """Each change through its service, all or nothing: a decision on a major item without its
        consultation is refused with the service's reason and nothing of the form is kept."""
        actor = actor_for(request.user)
        original = AgendaItem.objects.get(pk=obj.pk)
        try:
            with transaction.atomic():
                item = original
                if obj.is_major != original.is_major:
                    item = agenda_services.agenda_mark_major(actor=actor, item=item, is_major=obj.is_major)
                if obj.is_major and any(f in form.changed_data for f in self.CONSULTATION):
                    item = agenda_services.agenda_consultation_record(
                        actor=actor, item=item, method=obj.consultation_method, from_whom=obj.consultation_from,
                        summary=obj.consultation_summary, start=obj.consultation_start, end=obj.consultation_end)
                if obj.decision.strip():
                    agenda_services.agenda_decide(actor=actor, item=item, decision=obj.decision,
                                                  meeting_date=obj.meeting_date)
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
            self.message_user(request, text, messages.ERROR)


@admin.register(ProblemGroup)
class ProblemGroupAdmin(ViewOnlyMixin, TownshipQuerysetMixin, OfficeAdminMixin, admin.ModelAdmin):
    """Read only: the groups are computed (the 一类事 page, the daily job, `manage.py group_problems`)."""

    list_display = ["label", "period_start", "period_end", "village_count", "diary_count", "matter_count", "trend",
                    "agenda_item"]
    list_filter = ["period_start", "trend", "township"]
    search_fields = ["label"]
    list_select_related = ["agenda_item"]
    FIELDS = ("label", "keywords", "category", "period_start", "period_end", "village_count", "diary_count",
              "matter_count", "first_seen", "last_seen", "previous_size", "trend", "agenda_item", "computed_at")
    fields = FIELDS
    readonly_fields = FIELDS
