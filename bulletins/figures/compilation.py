"""The whole compilation of a bulletin's figures for one township and one period."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from bulletins.figures.activities import adopted_ideas, inspection_figures, overdue_by_place, plan_progress, training_figures
from bulletins.figures.daily import diary_completeness, household_coverage, matter_figures, pledge_progress
from bulletins.figures.disclosures import disclosure_compliance
from bulletins.figures.period import FIGURES_VERSION, Period
from cadres.models import Township, Village
from supervision.models import (
    ProblemGroup,
)

if TYPE_CHECKING:
    from bulletins.county import CountyFigures


def problem_group_rows(township: Township, period: Period) -> list[dict[str, Any]]:
    """群众反映集中的问题: the period's groups of recurring problems (一类事), largest first — problems,
    never people. Only groups computed for exactly the bulletin's period are read."""
    groups = (
        ProblemGroup.objects.filter(township=township, period_start=period.start, period_end=period.end)
        .select_related("agenda_item")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("code").only("id", "name", "code")))
        .order_by("-village_count", "-diary_count", "-matter_count", "id")[:20]
    )
    return [{
        "label": g.label, "keywords": list(g.keywords), "villages": [v.name for v in g.villages.all()],
        "diaries": g.diary_count, "matters": g.matter_count, "trend": g.trend,
        "agenda": g.agenda_item.status if g.agenda_item_id and g.agenda_item else "",
    } for g in groups]


def compile_figures(
    township: Township, start: dt.date, end: dt.date, county: CountyFigures | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(figures, problems) for one township and period; see docs/bulletins.md for the keys.

    `county` (bulletins.county) supplies the heaviest figures counted for every township at once,
    when the whole county is compiled together.
    """
    period = Period(start, end)
    if county is not None:
        disclosure, gaps = county.disclosure(township.pk)
        inspections, findings = county.inspections(township.pk)
    else:
        disclosure, gaps = disclosure_compliance(township, period)
        inspections, findings = inspection_figures(township, period)
    figures = {
        "version": FIGURES_VERSION,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "diaries": county.diaries(township.pk) if county else diary_completeness(township, period),
        "households": county.households(township.pk) if county else household_coverage(township, period),
        "matters": matter_figures(township, period, county),
        "ideas": county.ideas(township.pk) if county else adopted_ideas(township, period),
        "pledges": county.pledges(township.pk) if county else pledge_progress(township, period),
        "disclosure": disclosure,
        "trainings": county.trainings(township.pk) if county else training_figures(township, period),
        "inspections": inspections,
    }
    plans, plan_rows = county.plans(township.pk) if county else plan_progress(township, period)
    figures["plans"] = plans
    problems = [
        {"kind": "inspection_findings", "rows": findings},
        {"kind": "overdue_matters",
         "rows": county.overdue(township.pk)[1] if county else overdue_by_place(township, period)},
        {"kind": "disclosure_gaps", "rows": gaps},
        {"kind": "plan_progress", "rows": plan_rows},
        {"kind": "problem_groups", "rows": problem_group_rows(township, period)},
    ]
    return figures, problems
