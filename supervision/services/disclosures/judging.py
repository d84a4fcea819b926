"""The quarterly check's pure parts: whose check it is, how an item is judged, how a check scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import School, Township, Village
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    Domain,
    Subject,
)
from supervision.quarters import Quarter
from supervision.services.disclosures.requirements import Frequency, Period, periods

Result = DisclosureCheckItem.Result


def rubric_for(township_id: int, rubrics: list[DisclosureRubric]) -> DisclosureRubric:
    own = [r for r in rubrics if r.township_id == township_id]
    general = [r for r in rubrics if r.township_id is None]
    return (own or general or [DisclosureRubric()])[0]


def score_for(rubric: DisclosureRubric, *, missing: int, late: int) -> Decimal:
    full = rubric.board_points + rubric.content_points + rubric.procedure_points
    return Decimal(max(0, full - missing * rubric.missing_penalty - late * rubric.late_penalty))


@dataclass
class CheckRunSummary:
    quarter: Quarter
    townships: int = 0
    villages: int = 0
    schools: int = 0
    township_checks: int = 0
    checks_created: int = 0
    checks_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    items_removed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    villages_with_gaps: list[str] = field(default_factory=list)
    # Reviewed checks are left untouched; of those, the villages a recompile would change.
    frozen: int = 0
    frozen_differing: list[str] = field(default_factory=list)
    # domain → {"on_time": n, "late": n, "missing": n}, for the items judged in this run.
    by_domain: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_text(self) -> str:
        text = _(
            "%(q)s 村务公开检查：%(t)s个乡镇、%(v)s个村；按时%(on)s项，逾期%(late)s项，缺项%(miss)s项；"
            "新建检查%(cc)s条、更新%(cu)s条；明细新增%(ic)s条、更新%(iu)s条、移除%(ir)s条。"
        ) % {
            "q": self.quarter.label, "t": self.townships, "v": self.villages, "on": self.on_time, "late": self.late,
            "miss": self.missing, "cc": self.checks_created, "cu": self.checks_updated, "ic": self.items_created,
            "iu": self.items_updated, "ir": self.items_removed,
        }
        if self.schools or self.township_checks:
            text += _("另检查乡镇本级%(t)s个、学校%(s)s所。") % {"t": self.township_checks, "s": self.schools}
        if self.by_domain:
            text += _("分领域：%(parts)s。") % {"parts": "；".join(
                _("%(domain)s按时%(on)s项、逾期%(late)s项、缺项%(miss)s项") % {
                    "domain": Domain(domain).label, "on": counts["on_time"], "late": counts["late"],
                    "miss": counts["missing"]}
                for domain, counts in sorted(self.by_domain.items()))}
        if self.frozen:
            text += _("%(n)s 个村的检查已审核，未改动；其中 %(m)s 个村按现有数据重算会不同。") % {
                "n": self.frozen, "m": len(self.frozen_differing)}
            if self.frozen_differing:
                text += _("按现有数据重算会不同的村：%(names)s。") % {"names": "、".join(self.frozen_differing)}
        return text


def _requirement_key(disclosure: Disclosure, by_category: dict[tuple[str, str], int], wanted: set[int]) -> int | None:
    if disclosure.requirement_id in wanted:
        return disclosure.requirement_id
    return by_category.get((disclosure.domain, disclosure.category))


def _judge(first: Disclosure | None, period: Period, today: date) -> str | None:
    """An item's result: missing once due with nothing posted (None while not yet due); on time
    when posted by the due date — as claimed when the office confirmed the posting date, otherwise
    also recorded by then (a posting recorded after the due date is late whatever date it claims)."""
    if first is None:
        return Result.MISSING if period.due < today else None
    posted = first.posted_on
    if first.posted_on_confirmed_by_id is None:
        posted = max(posted, timezone.localdate(first.created_at))
    return Result.ON_TIME if posted <= period.due else Result.LATE


Judged = tuple[DisclosureRequirement, Period, str, Disclosure | None]


SubjectKey = tuple[str, int]


@dataclass(frozen=True)
class CheckSubject:
    """Whose check it is: a village, a township (its own 政务) or a school."""

    kind: str
    pk: int
    township_id: int
    name: str

    @property
    def key(self) -> SubjectKey:
        return (self.kind, self.pk)

    def ids(self) -> dict[str, int | None]:
        return {"village_id": self.pk if self.kind == Subject.VILLAGE else None,
                "school_id": self.pk if self.kind == Subject.SCHOOL else None}


def subject_key(obj: Disclosure | DisclosureCheck) -> SubjectKey:
    if obj.subject_kind == Subject.SCHOOL:
        return (Subject.SCHOOL, obj.school_id or 0)
    if obj.subject_kind == Subject.TOWNSHIP:
        return (Subject.TOWNSHIP, obj.township_id)
    return (Subject.VILLAGE, obj.village_id or 0)


def check_subjects(townships: list[Township], requirements: dict[tuple[int, str], list[DisclosureRequirement]]
                   ) -> list[CheckSubject]:
    """Every village; each township and school too where requirements apply to them."""
    ids = [t.pk for t in townships]
    subjects = [
        CheckSubject(Subject.VILLAGE, v.pk, v.township_id, v.name)
        for v in Village.objects.filter(township_id__in=ids, is_active=True).order_by("township_id", "code")
    ]
    subjects += [CheckSubject(Subject.TOWNSHIP, t.pk, t.pk, str(_("%(township)s（镇本级）") % {"township": t.name}))
                 for t in townships if requirements.get((t.pk, Subject.TOWNSHIP))]
    with_schools = [t.pk for t in townships if requirements.get((t.pk, Subject.SCHOOL))]
    if with_schools:
        subjects += [
            CheckSubject(Subject.SCHOOL, school.pk, school.township_id, school.name)
            for school in School.objects.filter(township_id__in=with_schools, is_active=True)
            .order_by("township_id", "name", "pk")
        ]
    return subjects


def _judged(requirements: list[DisclosureRequirement], postings: dict[tuple[SubjectKey, int], list[Disclosure]],
            key: SubjectKey, q: Quarter, today: date) -> list[Judged]:
    """Every item a subject's check has this quarter: (requirement, period, result, first posting)."""
    judged: list[Judged] = []
    for requirement in requirements:
        posted = postings.get((key, requirement.pk), [])
        decisions = [d.decision_date for d in posted if d.decision_date]
        for period in periods(requirement, q, decisions):
            if requirement.frequency == Frequency.IMMEDIATE:
                matches = [d for d in posted if d.decision_date == period.start]
            else:
                matches = [d for d in posted if d.period_start <= period.end and d.period_end >= period.start]
            first = matches[0] if matches else None
            computed = _judge(first, period, today)
            if computed is not None:
                judged.append((requirement, period, computed, first))
    return judged


def _frozen_check_differs(check: DisclosureCheck, current: dict[tuple[int, date], DisclosureCheckItem],
                          judged: list[Judged], rubric: DisclosureRubric) -> bool:
    """Whether recompiling a reviewed check from today's data would change its items or figures
    (office adjustments kept, as a recompile keeps them)."""
    results: list[str] = []
    seen: set[tuple[int, date]] = set()
    differs = False
    for requirement, period, computed, first in judged:
        key = (requirement.pk, period.start)
        seen.add(key)
        item = current.get(key)
        if item is None:
            differs = True
            results.append(computed)
            continue
        if (item.computed_result, item.disclosure_id, item.due_date) != (
                computed, first.pk if first else None, period.due):
            differs = True
        results.append(item.result if item.adjusted else computed)
    for key, item in current.items():
        if key not in seen:
            if item.adjusted:
                results.append(item.result)
            else:
                differs = True
    missing, late = results.count(Result.MISSING), results.count(Result.LATE)
    return differs or (check.missing_count, check.late_count, check.score) != (
        missing, late, score_for(rubric, missing=missing, late=late))
