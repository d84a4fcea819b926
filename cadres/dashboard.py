"""Dashboard panel: the township's shortfall of contact households, for leaders. (A cadre's own
households not visited lately: supervision.dashboard.diaries_matters.)"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.utils import timezone

from core.dashboard import shared_figures
from core.replica import current_read_alias
from core.sql import read_rows

from .models import Cadre, ContactQuota, HouseholdContact
from .roles import Actor
from .selectors import QuotaStatus, may_see_pyramid, quota_required, quota_table


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if may_see_pyramid(actor) and actor.township_id is not None:
        out.append(shared_figures("quota", actor, lambda: _quota_panel(actor)))
    return out


def _quota_panel(actor: Actor) -> dict[str, Any]:
    """The township's cadres short of their contact-household quota (联系户定额).

    Those who see it (may_see_pyramid: the leaders, the office, the county) are township-wide, so
    cadres_for's scope comes down to their townships. The cadres with their active contacts by
    kind and the quota table come in one plain statement; through cadres_for and quota_statuses
    it took three, ~2 ms of CPU to build. tests/cadres/test_dashboard_quota.py holds the two equal.
    """
    counts: dict[int, dict[str, int]] = {}
    posts: dict[int, str] = {}
    table: dict[str, tuple[int, int]] = {}
    for cadre_id, post, kind, n, poor, farmer in _quota_rows(actor):
        if cadre_id is None:
            table[post] = (poor, farmer)
            continue
        posts[cadre_id] = post
        have = counts.setdefault(cadre_id, {})
        if kind is not None:
            have[kind] = n
    short_count = missing = 0
    for cadre_id, post in posts.items():
        need_poor, need_farmer = quota_required(post, table)
        have = counts[cadre_id]
        # quota_statuses' rule: 帮扶户 count toward the farmer quota.
        farmer = have.get(HouseholdContact.Kind.FARMER, 0) + have.get(HouseholdContact.Kind.ASSISTED, 0)
        status = QuotaStatus(need_poor, need_farmer, have.get(HouseholdContact.Kind.POOR_PARTY_MEMBER, 0), farmer)
        if status.is_short:
            short_count += 1
            missing += status.shortfall
    return {
        "template": "cadres/panel_quota.html",
        "order": 60,
        "short_count": short_count,
        "missing": missing,
        "total": len(posts),
    }


def _quota_rows(actor: Actor) -> list[tuple[Any, ...]]:
    """(cadre id, post, contact kind or None, contacts of the kind, None, None) for each active
    township-level cadre of the actor's township, then (None, post, None, None, poor party-member
    households, farmer households) for each row of the quota table."""
    if actor.township_ids is not None and actor.township_id not in actor.township_ids:
        return [(None, post, None, None, poor, farmer) for post, (poor, farmer) in quota_table().items()]
    connection = connections[current_read_alias()]
    quote = connection.ops.quote_name
    cadre, contact = Cadre._meta.db_table, HouseholdContact._meta.db_table
    quota = ContactQuota._meta.db_table
    today = timezone.localdate()
    active = f"h.{quote('start')} <= %s AND (h.{quote('end')} IS NULL OR h.{quote('end')} >= %s)"
    if connection.vendor == "postgresql":
        # Each cadre's contacts counted through its index on the cadre: the plain join below is
        # planned as a hash join over the county's every contact (6,880 rows read at 1m, 3.2 ms
        # against 0.7).
        cadres = (f"SELECT c.id, c.post, h.kind, COALESCE(h.n, 0), NULL, NULL FROM {cadre} c "  # noqa: S608
                  f"LEFT JOIN LATERAL (SELECT h.kind, COUNT(*) AS n FROM {contact} h "
                  f"WHERE h.cadre_id = c.id AND {active} GROUP BY h.kind) h ON true "
                  f"WHERE c.township_id = %s AND c.is_active AND c.level <> %s ")
    else:  # SQLite (development) has no LATERAL
        cadres = (f"SELECT c.id, c.post, h.kind, COUNT(h.id), NULL, NULL FROM {cadre} c "  # noqa: S608
                  f"LEFT JOIN {contact} h ON h.cadre_id = c.id AND {active} "
                  f"WHERE c.township_id = %s AND c.is_active AND c.level <> %s GROUP BY c.id, c.post, h.kind ")
    # Tables and columns from the models, placeholders from this function: no caller text.
    sql = f"{cadres}UNION ALL SELECT NULL, q.post, NULL, NULL, q.poor_party_member, q.farmer FROM {quota} q"  # noqa: S608
    # Planned once per connection (read_rows): neither form's plan turns on the values.
    return read_rows(sql, [today, today, actor.township_id, Cadre.Level.VILLAGE.value])
