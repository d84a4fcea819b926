"""The admin's history pages as the office reads them: names, labels and Beijing time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


def person_label(user: Any) -> str:
    """A user as people know them: the cadre's name (with the log-in), else the full name or log-in."""
    if user is None:
        return gettext("系统")
    cadre = getattr(user, "cadre", None) if hasattr(user, "_state") else None
    name = cadre.name if cadre is not None else (user.get_full_name() if hasattr(user, "get_full_name") else "")
    return f"{name}（{user.get_username()}）" if name else str(user.get_username())


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The changes of a version as the office reads them: labels instead of slugs, people's names,
    Beijing time, and "—" for an empty link instead of simple_history's "Deleted 用户 (pk=None)"."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject):
            if value.pk is None:
                return "—"
            return gettext("已删除的%(kind)s（#%(pk)s）") % {"kind": value.model._meta.verbose_name, "pk": value.pk}
        if value is None or value == "":
            return "—"
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "Y-m-d H:i")
        if isinstance(value, dt.date):
            return date_format(value, "Y-m-d")
        if isinstance(value, bool):
            return gettext("是") if value else gettext("否")
        if isinstance(value, get_user_model()):
            return person_label(value)
        return super().prepare_delta_change_value(change, value)


class ReadableHistoryMixin:
    """Names, labels and Beijing time on simple_history's pages (template in templates/admin/history/)."""

    object_history_list_template = "admin/history/object_history_list.html"

    def get_historical_record_context_helper(self, request: Any, historical_record: Any) -> Any:
        return ReadableHistoryHelper(self.model, historical_record)  # type: ignore[attr-defined]

    def get_history_queryset(self, request: Any, history_manager: Any, pk_name: str, object_id: Any) -> Any:
        # The author's cadre in the same query: the list names people, not log-ins.
        return super().get_history_queryset(  # type: ignore[misc]
            request, history_manager, pk_name, object_id).select_related("history_user__cadre")

    def set_history_delta_changes(self, request: Any, historical_records: Any, foreign_keys_are_objs: bool = True) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)  # type: ignore[misc]
        for record in historical_records:
            record.person_label = person_label(record.history_user)
            record.beijing_time = date_format(timezone.localtime(record.history_date), "Y-m-d H:i")
