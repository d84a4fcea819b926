"""Dashboard panels: the latest published bulletin for everyone; drafts awaiting work for the
office (to edit) and the leaders (to approve or publish).

Both panels are read in one plain statement. Through the selectors (`unpublished`,
`latest_published`) they were two queries whose building cost ~1.3 ms of CPU on every dashboard,
mostly for nothing to show; their scope (bulletins_for) comes down to the townships, whether the
actor sees drafts and whether they have a role. tests/bulletins/test_dashboard.py holds the panels
equal to the selectors' answers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cadres.roles import Actor, Role
from cadres.scope import sees_no_township
from core.replica import current_read_alias
from core.sql import read_rows, township_clause

from .models import Bulletin
from .permissions import sees_drafts

# What the panels show: the compiled figures and sections (large JSON) are not read.
SHOWN_FIELDS = ("id", "township_id", "title", "year", "number", "status", "period_start", "period_end", "issue_date")
DRAFTS_SHOWN = 5
DATES = ("period_start", "period_end", "issue_date")
# Model.from_db takes the loaded values in the model's field order.
_COLUMNS = [f.attname for f in Bulletin._meta.concrete_fields if f.attname in SHOWN_FIELDS]


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    if actor.is_nobody or sees_no_township(actor):
        return []
    waiting_wanted = actor.is_superuser or bool(actor.roles & {Role.OFFICE, Role.LEADER})
    # bulletins_for: published bulletins for anyone with a role, drafts too for those who see them.
    latest_wanted = sees_drafts(actor) or bool(actor.roles)
    if not (waiting_wanted or latest_wanted):
        return []
    waiting, latest = _read(actor, waiting=waiting_wanted, latest=latest_wanted)
    out: list[dict[str, Any]] = []
    if waiting:
        out.append({
            "template": "bulletins/_panel_drafts.html",
            "order": 30,
            "bulletins": waiting,
            "is_office": actor.is_superuser or Role.OFFICE in actor.roles,
        })
    if latest is not None:
        out.append({"template": "bulletins/_panel_latest.html", "order": 80, "bulletin": latest})
    return out


def _read(actor: Actor, *, waiting: bool, latest: bool) -> tuple[list[Bulletin], Bulletin | None]:
    """The drafts and approved bulletins awaiting work (unpublished's order, the first
    DRAFTS_SHOWN) and the latest published one (latest_published's order) of the actor's townships."""
    table = Bulletin._meta.db_table
    townships, township_params = township_clause("township_id", actor.township_ids)
    columns = ", ".join(_COLUMNS)
    parts: list[str] = []
    params: list[Any] = []
    # Each part in its own subquery: SQLite allows no ORDER BY or LIMIT on a member of a UNION.
    if waiting:
        parts.append(f"SELECT * FROM (SELECT 0 AS part, {columns} FROM {table} WHERE status <> %s{townships} "  # noqa: S608
                     f"ORDER BY period_end DESC, id DESC LIMIT {DRAFTS_SHOWN}) w")
        params += [Bulletin.Status.PUBLISHED.value, *township_params]
    if latest:
        parts.append(f"SELECT * FROM (SELECT 1 AS part, {columns} FROM {table} WHERE status = %s{townships} "  # noqa: S608
                     "ORDER BY published_at DESC, id DESC LIMIT 1) l")
        params += [Bulletin.Status.PUBLISHED.value, *township_params]
    alias = current_read_alias()
    rows = read_rows(" UNION ALL ".join(parts), params)
    drafts: list[Bulletin] = []
    published = None
    dates = [_COLUMNS.index(name) for name in DATES]
    for part, *values in rows:
        for i in dates:
            if isinstance(values[i], str):  # SQLite (development) answers text
                values[i] = date.fromisoformat(values[i])
        # As `.only(*SHOWN_FIELDS)` builds them: the other fields deferred.
        bulletin = Bulletin.from_db(alias, _COLUMNS, values)
        if part == 0:
            drafts.append(bulletin)
        else:
            published = bulletin
    # A UNION keeps no order of its own: the drafts in unpublished's.
    drafts.sort(key=lambda b: (b.period_end, b.pk), reverse=True)
    return drafts, published
