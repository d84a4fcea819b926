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
from core.sql import read_rows, row_date, township_clause
from supervision.dashboard.figures import pledge_counts, quarter_checked_last, quarter_checks
from supervision.models import DisclosureCheck, DisclosureCheckItem, DisclosureRequirement, Pledge
from supervision.quarters import Quarter
from supervision.services.pledges import VILLAGE_SIGNING_POSTS

GAPS_SHOWN = 10


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if actor.cadre is not None:
        mine = my_pledges_to_sign(actor.cadre, actor.township_ids)
        if mine.to_sign or mine.to_countersign:
            out.append({"template": "supervision/pledges/_panel.html", "order": 20, "mine": mine})
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        out.append(shared_figures("pledge-chain", actor, lambda: _chain_panel(actor)))
        out.append(shared_figures("disclosure-gaps", actor, lambda: _gaps_panel(actor)))
    return out


class PledgeToSign(NamedTuple):
    """A pledge of the panel: its key, status and name (as `str(pledge)`)."""

    pk: int
    status: str
    name: str

    def __str__(self) -> str:
        return self.name


class PledgesToSign(NamedTuple):
    to_sign: list[PledgeToSign]
    to_countersign: list[PledgeToSign]


def my_pledges_to_sign(cadre: Cadre, township_ids: Any) -> PledgesToSign:
    """The pledges waiting for this cadre's signature or countersignature, as
    selectors.pledges.my_pledges finds them (its to_sign and to_countersign), in one plain
    statement with each pledge's name.

    Through my_pledges a party secretary with pledges to countersign paid ~2.7 ms of CPU more for
    the dashboard than one without (building its scoped query and three related instances a
    pledge): the slowest fifth of the leaders' dashboards. The rows the panel shows lie within
    pledges_for's scope for every role (the cadre's own pledges, those of the units they head or
    the village they sign for, those they countersign), so the townships are its only scope here;
    tests/supervision/test_pledges_pages.py holds the two equal at every step of the chain."""
    if township_ids is not None and not township_ids:
        return PledgesToSign([], [])
    pledge, unit, village, person = (Pledge._meta.db_table, Unit._meta.db_table, Village._meta.db_table,
                                     Cadre._meta.db_table)
    posts = {cadre.post, *(cadre.extra_posts or [])}
    signs_for_village = bool(cadre.level == Cadre.Level.VILLAGE and cadre.village_id and posts & VILLAGE_SIGNING_POSTS)
    # services.pledges.is_pledger_signer: the pledger cadre; else the unit's head; else the village's signers.
    signer = ("CASE WHEN p.pledger_cadre_id IS NOT NULL THEN p.pledger_cadre_id = %s"
              " WHEN p.pledger_unit_id IS NOT NULL THEN COALESCE(u.head_id = %s, FALSE)"
              " ELSE %s AND p.pledger_village_id IS NOT DISTINCT FROM %s END")
    issued, signed = Pledge.Status.ISSUED.value, Pledge.Status.SIGNED.value
    params: list[Any] = [cadre.pk, cadre.pk, signs_for_village, cadre.village_id, issued, cadre.pk, signed]
    townships, township_params = township_clause("p.township_id", township_ids)
    # Tables from the models, conditions and placeholders from this function: no caller text.
    sql = (
        f"SELECT p.id, p.status, p.title, p.year, v.name, u.name, c.name, p.superior_id = %s AS countersign "  # noqa: S608
        f"FROM {pledge} p LEFT JOIN {unit} u ON u.id = p.pledger_unit_id "
        f"LEFT JOIN {village} v ON v.id = p.pledger_village_id LEFT JOIN {person} c ON c.id = p.pledger_cadre_id "
        f"WHERE ((({signer}) AND p.status = %s) OR (p.superior_id = %s AND p.status = %s)){townships} "
        f"ORDER BY p.year DESC, p.level, p.id"
    )
    rows = read_rows(sql, [cadre.pk, *params, *township_params])
    to_sign, to_countersign = [], []
    for pk, status, title, year, village_name, unit_name, cadre_name, countersign in rows:
        # Pledge.__str__: its title, else the year and the pledger (village, unit or cadre).
        row = PledgeToSign(pk, status, title or f"{year} {village_name or unit_name or cadre_name or ''}")
        if status == issued and cadre.is_active:
            to_sign.append(row)
        elif status == signed and countersign:
            to_countersign.append(row)
    return PledgesToSign(to_sign, to_countersign)


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

