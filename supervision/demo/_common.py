"""What the supervision demo parts share."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model

TZ = ZoneInfo(settings.TIME_ZONE)


def demo_users(ctx: Any) -> dict[str, Any]:
    users = dict(ctx.extra.get("users") or {})
    if not users:
        user_model = get_user_model()
        users = {u.username: u for u in user_model.objects.filter(
            username__in=["office", "secretary", "cadre1", "cadre2", "village1", "inspector"])}
    return users


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def duty_context(ctx: Any, part: str) -> tuple[Any, dict[str, Any], Any] | None:
    """The main township, the demo log-ins and the office log-in, or None (said) when missing."""
    township = ctx.main_township
    if township is None:
        ctx.out(f"  supervision.demo.{part}: no main township, skipped")
        return None
    users = demo_users(ctx)
    office = users.get("office")
    if office is None:
        ctx.out(f"  supervision.demo.{part}: no office log-in, skipped")
        return None
    return township, users, office
