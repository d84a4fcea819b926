"""What the township asks to be disclosed, and the periods a requirement covers in a quarter."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from supervision.models import (
    DisclosureCheckItem,
    DisclosureRequirement,
    Subject,
)
from supervision.quarters import Quarter

Frequency = DisclosureRequirement.Frequency
Result = DisclosureCheckItem.Result


def requirements_for(township_id: int, subject_kind: str = Subject.VILLAGE) -> list[DisclosureRequirement]:
    """The township's active requirements for a kind of subject (each village, the township, each
    school): its own rows override general rows of the same category."""
    return requirements_by_kind(township_id)[subject_kind]


def requirements_by_kind(township_id: int) -> dict[str, list[DisclosureRequirement]]:
    """requirements_for every kind of subject, in one query."""
    rows = list(
        DisclosureRequirement.objects.filter(is_active=True)
        .filter(Q(township__isnull=True) | Q(township_id=township_id))
        .order_by("order", "id")
    )
    rows = [r for r in rows if r.applies_to != Subject.VILLAGE or r.applies_to_villages]
    own = {(r.applies_to, r.domain, r.category) for r in rows if r.township_id is not None}
    found: dict[str, list[DisclosureRequirement]] = {kind: [] for kind in Subject.values}
    for r in rows:
        if r.township_id is not None or (r.applies_to, r.domain, r.category) not in own:
            found[r.applies_to].append(r)
    return found



def due_after(period_end: date, day: int) -> date:
    """Day `day` of the month after the period (capped at that month's length)."""
    after = period_end + timedelta(days=1)
    if after.day != 1:  # a period that does not end on a month's last day: the next month still counts
        after = (after.replace(day=1) + timedelta(days=32)).replace(day=1)
    return after.replace(day=min(day, calendar.monthrange(after.year, after.month)[1]))


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    due: date


def periods(requirement: DisclosureRequirement, quarter: Quarter, decisions: Iterable[date] = ()) -> list[Period]:
    """The periods a requirement asks for within a quarter (monthly: three; quarterly: one;
    annual: the year, checked in Q4 only; immediate: one per decision taken in the quarter)."""
    if requirement.frequency == Frequency.MONTHLY:
        return [Period(s, e, due_after(e, requirement.due_day)) for s, e in quarter.months]
    if requirement.frequency == Frequency.QUARTERLY:
        return [Period(quarter.start, quarter.end, due_after(quarter.end, requirement.due_day))]
    if requirement.frequency == Frequency.ANNUAL:
        if quarter.quarter != 4:
            return []
        return [Period(date(quarter.year, 1, 1), quarter.end, due_after(quarter.end, requirement.due_day))]
    return [Period(d, d, d + timedelta(days=requirement.due_day)) for d in sorted(set(decisions))
            if quarter.contains(d)]
