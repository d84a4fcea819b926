"""Small helpers shared by the daily-loop services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.notifications import notify


def check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            {field: _("内容过长：最多 %(limit)s 字，当前 %(n)s 字。") % {"limit": limit, "n": len(value)}}
        )


def require_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def notify_after_commit(*, users: Callable[[], Iterable[Any]], **kwargs: Any) -> None:
    """Notify once the change is committed; a rolled-back change tells nobody."""
    transaction.on_commit(lambda: notify(users=users(), **kwargs))


def office_users(township_id: int) -> list[Any]:
    """Active log-ins of the township's party-government office (党政办)."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(groups__name="office", is_active=True, cadre__township_id=township_id).distinct()
    )


def cn_date(day: date, *, year: bool = True) -> str:
    """2026年11月25日 (or 11月25日), as people read dates (docs/design.md §2); in the active language,
    so English reads "Nov. 25, 2026" (or "November 25")."""
    return date_format(day, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT")
