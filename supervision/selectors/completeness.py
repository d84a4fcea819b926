"""The completeness page's reads: who sees whose line, and each cadre's missing days.

The counting is supervision.services.completeness (workdays of the township's calendar less
excused days, diaries written); this adds the days themselves, so a supervisor sees which days
are missing rather than a rate. Lines are sorted by unit and name, never by how far behind a
cadre is: the page is for following up, not ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cadres.calendar import workdays_by_township
from cadres.models import Cadre
from cadres.roles import Actor, Role
from cadres.scope import managed_unit_ids, sees_no_township
from supervision.models import Diary
from supervision.services.completeness import cadre_figures, completeness, excused_days


def sees_every_cadre(actor: Actor) -> bool:
    """Leaders, the office and the county see every cadre of their townships (and the groupings)."""
    return actor.is_superuser or actor.has(Role.LEADER, Role.OFFICE, Role.COUNTY)


def completeness_cadre_ids(actor: Actor) -> set[int] | None:
    """The cadres whose own line the actor may see; None: every cadre of the actor's townships.

    A unit head sees the cadres of the unit they head, a leader in charge those of the units they
    supervise, any cadre their own line; a log-in with no cadre (the reporter) sees none."""
    if sees_no_township(actor):
        return set()
    if sees_every_cadre(actor):
        return None
    if actor.cadre is None:
        return set()
    ids = {actor.cadre.pk}
    managed = managed_unit_ids(actor)
    if managed:
        ids |= set(
            Cadre.objects.filter(unit_id__in=managed, township_id__in=actor.township_ids or ())
            .values_list("pk", flat=True)
        )
    return ids


@dataclass
class Line:
    """One cadre's line of the page."""

    cadre_id: int
    cadre: str
    unit: str
    expected: int = 0
    written: int = 0
    on_time: int = 0
    completeness: float | None = None
    missing_days: list[date] = field(default_factory=list)
    excused_days: list[date] = field(default_factory=list)
    unit_id: int | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "cadre_id": self.cadre_id, "cadre": self.cadre, "unit": self.unit, "expected": self.expected,
            "written": self.written, "on_time": self.on_time, "completeness": self.completeness,
            "missing": len(self.missing_days),
            "missing_days": " ".join(d.isoformat() for d in self.missing_days),
            "excused_days": " ".join(d.isoformat() for d in self.excused_days),
        }


def completeness_lines(actor: Actor, *, start: date, end: date) -> list[Line]:
    """Each visible cadre's figures, missing and excused days, sorted by unit and name."""
    cadre_ids = completeness_cadre_ids(actor)
    if cadre_ids is not None and not cadre_ids:
        return []
    township_ids = None if actor.township_ids is None else list(actor.township_ids)
    cadres, figures = cadre_figures(start=start, end=end, township_ids=township_ids, cadre_ids=cadre_ids)
    if not cadres:
        return []
    ids = [c["pk"] for c in cadres]
    home = {c["pk"]: c["township_id"] for c in cadres}
    excused = excused_days(ids, start=start, end=end)
    written: dict[int, set[date]] = defaultdict(set)
    for author_id, township_id, day in Diary.objects.filter(
        author_id__in=ids, date__range=(start, end), deleted_at__isnull=True
    ).values_list("author_id", "township_id", "date"):
        # As in the counting: a diary counts for its author's own township only.
        if home.get(author_id) == township_id:
            written[author_id].add(day)
    workdays = workdays_by_township(start, end, set(home.values()))
    lines = []
    for c in cadres:
        own = figures[c["pk"]]
        days = set(workdays.get(c["township_id"], ()))
        lines.append(Line(
            cadre_id=c["pk"], cadre=c["name"], unit=c["unit__name"] or "", unit_id=c["unit_id"],
            expected=own.expected, written=own.written, on_time=own.on_time,
            completeness=own.as_dict()["completeness"],
            missing_days=sorted(days - excused[c["pk"]] - written[c["pk"]]),
            excused_days=sorted(days & excused[c["pk"]]),
        ))
    # Unit first (cadres without a unit last), then name: never by how far behind.
    lines.sort(key=lambda line: (line.unit == "", line.unit, line.cadre, line.cadre_id))
    return lines


def completeness_groups(actor: Actor, *, start: date, end: date, by: str) -> list[dict[str, Any]]:
    """By village or unit, for those who see every cadre (ordered as the township lists them)."""
    if not sees_every_cadre(actor) or sees_no_township(actor):
        return []
    township_ids = None if actor.township_ids is None else list(actor.township_ids)
    return completeness(start=start, end=end, by=by, township_ids=township_ids)


def missing_day_lines(actor: Actor, *, start: date, end: date, unit_ids: Iterable[int]) -> list[Line]:
    """The lines of `completeness_lines` for the active township cadres of `unit_ids` that miss a
    day, with their missing days only (no rates): the unit panel's "who is behind" in four
    queries (cadres, excused days, diaries, calendar) instead of the whole counting."""
    if sees_no_township(actor):
        return []
    cadres = Cadre.objects.filter(is_active=True, level=Cadre.Level.TOWNSHIP, unit_id__in=list(unit_ids))
    if actor.township_ids is not None:
        cadres = cadres.filter(township_id__in=list(actor.township_ids))
    rows = list(cadres.values_list("pk", "name", "township_id", "unit_id", "unit__name"))
    if not rows:
        return []
    home = {pk: township_id for pk, _name, township_id, _unit, _unit_name in rows}
    excused = excused_days(list(home), start=start, end=end)
    written: dict[int, set[date]] = defaultdict(set)
    for author_id, township_id, day in Diary.objects.filter(
        author_id__in=list(home), date__range=(start, end), deleted_at__isnull=True
    ).values_list("author_id", "township_id", "date"):
        if home.get(author_id) == township_id:
            written[author_id].add(day)
    workdays = workdays_by_township(start, end, set(home.values()))
    lines = []
    for pk, name, township_id, unit_id, unit_name in rows:
        missing = sorted(set(workdays.get(township_id, ())) - excused[pk] - written[pk])
        if missing:
            lines.append(Line(cadre_id=pk, cadre=name, unit=unit_name or "", unit_id=unit_id, missing_days=missing))
    lines.sort(key=lambda line: (line.unit == "", line.unit, line.cadre, line.cadre_id))
    return lines
