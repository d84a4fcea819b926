"""Dashboard panels of the duties (portal/dashboard.py): pledges waiting for my signature or
countersignature; for the leaders and the office, the pledge chain's progress this year and the
disclosure gaps of the last checked quarter."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cadres.roles import Actor, Role
from core.dashboard import shared_figures
from supervision.dashboard.figures import pledge_counts, quarter_checked_last
from supervision.models import Pledge
from supervision.selectors.disclosures import checks_for, gaps
from supervision.selectors.pledges import NAME_RELATED, my_pledges

GAPS_SHOWN = 10


def panels(actor: Actor, user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if actor.cadre is not None:
        mine = my_pledges(actor, related=NAME_RELATED)
        if mine.to_sign or mine.to_countersign:
            out.append({"template": "supervision/pledges/_panel.html", "order": 20, "mine": mine})
    if actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE):
        out.append(shared_figures("pledge-chain", actor, lambda: _chain_panel(actor)))
        out.append(shared_figures("disclosure-gaps", actor, lambda: _gaps_panel(actor)))
    return out


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


def _gaps_panel(actor: Actor) -> dict[str, Any]:
    quarter = quarter_checked_last(actor)
    if quarter is None:
        return {"template": "supervision/disclosures/_panel.html", "order": 61, "quarter": None}
    checks = checks_for(actor).filter(year=quarter.year, quarter=quarter.quarter)
    figures = checks.aggregate(villages=Count("pk"), with_gaps=Count("pk", filter=Q(missing_count__gt=0)),
                               missing=Sum("missing_count"))
    figures["missing"] = figures["missing"] or 0
    items = list(gaps(actor, quarter=quarter).filter(result="missing")[:GAPS_SHOWN])
    return {"template": "supervision/disclosures/_panel.html", "order": 61, "quarter": quarter, "figures": figures,
            "items": items, "more": max(0, figures["missing"] - len(items))}
