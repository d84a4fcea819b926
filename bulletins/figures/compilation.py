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


GROUP_LIMIT = 20


def problem_groups_query(period: Period) -> Any:
    """The groups of recurring problems (一类事) computed for exactly the bulletin's period, largest
    first, every township (narrow it by township)."""
    return (
        ProblemGroup.objects.filter(period_start=period.start, period_end=period.end)
        .select_related("agenda_item")
        .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("code").only("id", "name", "code")))
        .order_by("-village_count", "-diary_count", "-matter_count", "id")
    )


def problem_group_row(group: ProblemGroup) -> dict[str, Any]:
    """群众反映集中的问题: a group as the bulletin lists it — a problem, never people."""
    return {
        "label": group.label, "keywords": list(group.keywords), "villages": [v.name for v in group.villages.all()],
        "diaries": group.diary_count, "matters": group.matter_count, "trend": group.trend,
        "agenda": group.agenda_item.status if group.agenda_item_id and group.agenda_item else "",
    }


def problem_group_rows(township: Township, period: Period) -> list[dict[str, Any]]:
    return [problem_group_row(g) for g in problem_groups_query(period).filter(township=township)[:GROUP_LIMIT]]


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
        {"kind": "problem_groups",
         "rows": county.problem_groups(township.pk) if county else problem_group_rows(township, period)},
    ]
    return figures, problems
