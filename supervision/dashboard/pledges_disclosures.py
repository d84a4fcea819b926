"""Dashboard panels of the duties (portal/dashboard.py): pledges waiting for my signature or
countersignature; for the leaders and the office, the pledge chain's progress this year and the
disclosure gaps of the last checked quarter."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import connections
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre, School, Unit, Village
from cadres.roles import Actor, Role
from cadres.scope import sees_no_township
from core.dashboard import shared_figures
from core.replica import current_read_alias
from core.sql import read_row, read_rows, row_date, township_clause
from supervision.dashboard.figures import pledge_counts, quarter_checked_last, quarter_checks
from supervision.models import DisclosureCheck, DisclosureCheckItem, DisclosureRequirement, Pledge
from supervision.quarters import Quarter
from supervision.selectors.pledges import NAME_RELATED, my_pledges
from supervision.services.pledges import VILLAGE_SIGNING_POSTS

GAPS_SHOWN = 10


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if actor.cadre is not None and _may_have_mine(actor.cadre, actor.township_ids):
        mine = my_pledges(actor, related=NAME_RELATED)
        if mine.to_sign or mine.to_countersign:
            out.append({"template": "supervision/pledges/_panel.html", "order": 20, "mine": mine})
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        out.append(shared_figures("pledge-chain", actor, lambda: _chain_panel(actor)))
        out.append(shared_figures("disclosure-gaps", actor, lambda: _gaps_panel(actor)))
    return out


def _may_have_mine(cadre: Cadre, township_ids: Any) -> bool:
    """Whether any pledge of the actor's townships waits for this cadre's signature or
    countersignature, in one plain statement.

    Most days nothing does, and building my_pledges' query (role scope, joins) cost ~2 ms of CPU
    on every dashboard for an empty answer. This condition is my_pledges' own without its role
    scope (pledges_for only narrows within the townships), so it holds for a superset of the rows
    the panel shows: when it finds none the panel is not shown, else my_pledges reads them as before.
    """
    if township_ids is not None and not township_ids:
        return False
    pledge, unit = Pledge._meta.db_table, Unit._meta.db_table
    # selectors.pledges.pledger_side_q, as SQL.
    side = ["p.pledger_cadre_id = %s", "u.head_id = %s"]
    params: list[Any] = [cadre.pk, cadre.pk]
    posts = {cadre.post, *(cadre.extra_posts or [])}
    if cadre.level == Cadre.Level.VILLAGE and cadre.village_id and posts & VILLAGE_SIGNING_POSTS:
        side.append("p.pledger_village_id = %s")
        params.append(cadre.village_id)
    # The panel shows what waits to be signed and countersigned, not what waits for progress reports.
    params += [Pledge.Status.ISSUED.value, cadre.pk, Pledge.Status.SIGNED.value]
    # Tables from the models, conditions and placeholders from this function: no caller text.
    sql = (
        f"SELECT 1 FROM {pledge} p LEFT JOIN {unit} u ON u.id = p.pledger_unit_id"  # noqa: S608
        f" WHERE ((({' OR '.join(side)}) AND p.status = %s) OR (p.superior_id = %s AND p.status = %s))"
    )
    townships, township_params = township_clause("p.township_id", township_ids)
    return read_row(f"{sql}{townships} LIMIT 1", [*params, *township_params]) is not None


def _chain_panel(actor: Actor) -> dict[str, Any]:
    year = timezone.localdate().year
    # The pledge chart counts the same pledges by status: one query for both.
    by_status = pledge_counts(actor, year)
    counts = {s: by_status.get(s, 0) for s in Pledge.Status.values}
    total = sum(counts.values())
    effective = counts[Pledge.Status.COUNTERSIGNED] + counts[Pledge.Status.ASSESSED]
    return {
        "template": "supervision/pledges/_chain_panel.html", "order": 60, "year": year, "total": total,
        "statuses": [(value, label, counts[value]) for value, label in Pledge.Status.choices],
        "effective_percent": round(100 * effective / total) if total else None,
    }


class GapRow(NamedTuple):
    """A missing item of the gaps panel, ready to show."""

    href: str
    village: str
    category: str
    months: str


def _gaps_panel(actor: Actor) -> dict[str, Any]:
    quarter = quarter_checked_last(actor)
    if quarter is None:
        return {"template": "supervision/disclosures/_panel.html", "order": 61, "quarter": None}
    # The disclosure chart lists the same checks: read once for both when both are computed.
    checks = quarter_checks(actor, quarter)
    missing = sum(c.missing for c in checks)
    figures = {"villages": len(checks), "with_gaps": sum(1 for c in checks if c.missing > 0), "missing": missing}
    items = _first_gaps(actor, quarter)
    return {"template": "supervision/disclosures/_panel.html", "order": 61, "quarter": quarter, "figures": figures,
            "items": items, "more": max(0, missing - len(items))}


def _first_gaps(actor: Actor, quarter: Quarter) -> list[GapRow]:
    """The first GAPS_SHOWN missing items of `quarter` in selectors.disclosures.gaps' order, in one
    plain statement: those who see the panel are township-wide (the leaders, the office, a
    superuser), so gaps' scope comes down to their townships. tests/supervision/
    test_dashboard_disclosures.py holds it equal to gaps()."""
    if sees_no_township(actor):
        return []
    item, check = DisclosureCheckItem._meta.db_table, DisclosureCheck._meta.db_table
    village, school = Village._meta.db_table, School._meta.db_table
    requirement = DisclosureRequirement._meta.db_table
    connection = connections[current_read_alias()]
    townships, township_params = township_clause("c.township_id", actor.township_ids)
    params: list[Any] = [quarter.year, quarter.quarter, DisclosureCheckItem.Result.MISSING.value, *township_params]
    # Tables from the models, placeholders from this function: no caller text.
    sql = (
        f"SELECT i.check_run_id, v.name, r.category, r.frequency, i.period_start, i.period_end FROM {item} i "  # noqa: S608
        f"JOIN {check} c ON c.id = i.check_run_id JOIN {requirement} r ON r.id = i.requirement_id "
        f"LEFT JOIN {village} v ON v.id = c.village_id LEFT JOIN {school} s ON s.id = c.school_id "
        f"WHERE c.year = %s AND c.quarter = %s AND i.result = %s{townships} "
        f"ORDER BY v.code, s.name, r.{connection.ops.quote_name('order')}, i.period_start, i.id LIMIT {GAPS_SHOWN}"
    )
    rows = read_rows(sql, params)
    monthly = DisclosureRequirement.Frequency.MONTHLY.value
    # The template once wrote these with {% url %} and |date:"n月" (the same in both languages).
    return [GapRow(reverse("disclosure-check-show", args=[check_id]), name or "", category,
                   f"{row_date(start).month}月" + ("" if frequency == monthly else f"—{row_date(end).month}月"))
            for check_id, name, category, frequency, start, end in rows]

