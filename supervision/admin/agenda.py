"""Admin for the party committee's agenda items (decisions go through the agenda services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from cadres.admin import ScopedHistoryAdmin
from cadres.roles import actor_for
from core.errors import DomainError
from supervision.admin._base import TownshipQuerysetMixin
from supervision.models import AgendaItem
from supervision.services import agenda as agenda_services


@admin.register(AgendaItem)
class AgendaItemAdmin(TownshipQuerysetMixin, ScopedHistoryAdmin):
    """Adopting happens on the diary page; here the office records the committee's decision."""

    list_display = ["title", "status", "adopted_by", "adopted_at", "meeting_date"]
    list_filter = ["status", "township"]
    search_fields = ["title", "decision"]
    list_select_related = ["adopted_by"]
    fields = ["title", "diary", "adopted_by", "adopted_at", "status", "meeting_date", "decision", "decided_at",
              "decided_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        locked = ["title", "diary", "adopted_by", "adopted_at", "status", "decided_at", "decided_by"]
        if obj is not None and obj.status == AgendaItem.Status.DECIDED:
            locked += ["meeting_date", "decision"]
        return locked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AgendaItem, form: Any, change: bool) -> None:
        if not obj.decision.strip():
            return  # nothing recorded yet
        try:
            agenda_services.agenda_decide(actor=actor_for(request.user), item=obj, decision=obj.decision,
                                          meeting_date=obj.meeting_date)
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
            self.message_user(request, text, messages.ERROR)
