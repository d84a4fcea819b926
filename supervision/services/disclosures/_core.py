"""公开事项 and the quarterly check of village-affairs disclosure (docs/design.md §3, §5).

`disclosure_check_run` is the one service behind the beat job, the admin action and
`manage.py run_disclosure_check`: it reads only the quarter's disclosures, writes with a
constant number of queries whatever the number of villages, and running it twice gives the same
rows. Items the office adjusted keep the office's result.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import Cadre, School, Township, Village
from cadres.roles import Actor, Role, require_office, require_system
from core.errors import DomainError, NotAllowed, StateError
from core.notifications import notify, notify_cadres
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    Domain,
    Subject,
)
from supervision.models.disclosures import DOMAIN_SUBJECTS
from supervision.notifications import NotificationKind
from supervision.quarters import Quarter
from supervision.services._common import office_users

Frequency = DisclosureRequirement.Frequency
Result = DisclosureCheckItem.Result
TITLE_LIMIT = 200
CONTENT_LIMIT = 20000
DEFAULT_DISPLAY_DAYS = 10


# --- posting --------------------------------------------------------------------------------------


def backdate_days() -> int:
    """How far before its recording a non-office posting may be dated (setting DISCLOSURE_BACKDATE_DAYS)."""
    return int(settings.PORTAL.get("DISCLOSURE_BACKDATE_DAYS", 7))


def may_post_for(actor: Any, village: Village) -> bool:
    """Village cadres post for their own village; the office for any village of its township."""
    if actor.has(Role.OFFICE):
        return actor.township_ids is None or village.township_id in actor.township_ids
    cadre = actor.cadre
    return cadre is not None and cadre.level == Cadre.Level.VILLAGE and cadre.village_id == village.pk


def may_post_for_subject(actor: Any, *, subject_kind: str, township_id: int, village: Village | None) -> bool:
    """A village's items: its village cadres or the office; the township's and a school's: the office."""
    if subject_kind == Subject.VILLAGE:
        return village is not None and may_post_for(actor, village)
    return actor.has(Role.OFFICE) and (actor.township_ids is None or township_id in actor.township_ids)


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


@transaction.atomic
def disclosure_create(
    *, actor: Actor, village: Village | None = None, title: str, content: str, period_start: date, period_end: date,
    posted_on: date, requirement: DisclosureRequirement | None = None, domain: str = "", category: str = "",
    decision_date: date | None = None, channel: str = Disclosure.Channel.BOARD, display_days: int | None = None,
    photo: UploadedFile | None = None, subject_kind: str = Subject.VILLAGE, school: School | None = None,
    township: Township | None = None,
) -> Disclosure:
    subject_kind, township_id = _subject(actor, subject_kind=subject_kind, village=village, school=school,
                                         township=township)
    if not may_post_for_subject(actor, subject_kind=subject_kind, township_id=township_id, village=village):
        if subject_kind == Subject.VILLAGE:
            raise NotAllowed(_("只有本村村干部或党政办可以登记该村的公开事项。"))
        raise NotAllowed(_("只有本镇党政办可以登记乡镇或学校的公开事项。"))
    errors: dict[str, list[str]] = defaultdict(list)
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        errors["title"].append(_("请填写标题。"))
    elif len(title) > TITLE_LIMIT:
        errors["title"].append(_("标题不能超过%(n)s字。") % {"n": TITLE_LIMIT})
    if not content:
        errors["content"].append(_("请填写公开内容。"))
    elif len(content) > CONTENT_LIMIT:
        errors["content"].append(_("公开内容不能超过%(n)s字。") % {"n": CONTENT_LIMIT})
    if requirement is not None:
        if not requirement.is_active or requirement.township_id not in (None, township_id):
            errors["requirement"].append(_("该公开要求不适用于本镇。"))
        elif requirement.applies_to != subject_kind:
            errors["requirement"].append(_("该公开要求适用于%(kind)s，与所选公开主体不符。") % {
                "kind": requirement.get_applies_to_display()})
        domain, category = requirement.domain, requirement.category
        minimum = requirement.min_display_days
    else:
        minimum = DEFAULT_DISPLAY_DAYS
        if domain not in Domain.values:
            errors["domain"].append(_("请选择公开领域。"))
        if not (category or "").strip():
            errors["category"].append(_("请填写公开类别。"))
    if domain in DOMAIN_SUBJECTS and subject_kind not in DOMAIN_SUBJECTS[domain]:
        errors["domain"].append(_("%(domain)s不能以%(kind)s为公开主体（校务属于学校，村务属于村）。") % {
            "domain": Domain(domain).label, "kind": Subject(subject_kind).label})
    if channel not in Disclosure.Channel.values:
        errors["channel"].append(_("请选择公开方式。"))
    today = timezone.localdate()
    if period_end < period_start:
        errors["period_end"].append(_("所属期间的结束日期不能早于开始日期。"))
    elif (period_end - period_start).days > 366:
        errors["period_end"].append(_("所属期间不能超过一年。"))
    office = actor.has(Role.OFFICE)
    if posted_on > today:
        errors["posted_on"].append(_("公开日期不能晚于今天。"))
    elif posted_on < today - timedelta(days=backdate_days()) and not office:
        errors["posted_on"].append(
            _("公开日期不能早于登记日%(n)s天以上；补录更早的公开请由党政办登记确认。") % {"n": backdate_days()})
    if requirement is not None and requirement.frequency == Frequency.IMMEDIATE and decision_date is None:
        errors["decision_date"].append(_("重大事项请填写决定日期（应在决定后%(n)s日内公开）。") % {"n": requirement.due_day})
    if decision_date is not None and decision_date > today:
        errors["decision_date"].append(_("决定日期不能晚于今天。"))
    days = DEFAULT_DISPLAY_DAYS if display_days is None else display_days
    if days < minimum:
        errors["display_days"].append(_("公示时间不得少于%(n)s天。") % {"n": minimum})
    elif days > 3650:
        errors["display_days"].append(_("公示天数过大。"))
    clean_photo = None
    if photo is not None:
        from core.uploads import clean_upload

        try:
            clean_photo = clean_upload(photo, kinds=("image",))
        except ValidationError as exc:
            errors["photo"].extend(exc.messages)
    if errors:
        raise ValidationError(dict(errors))
    disclosure = Disclosure(
        township_id=township_id, subject_kind=subject_kind, village=village if subject_kind == Subject.VILLAGE else None,
        school=school if subject_kind == Subject.SCHOOL else None, requirement=requirement, domain=domain,
        category=category.strip(), title=title, content=content, period_start=period_start, period_end=period_end,
        decision_date=decision_date, posted_on=posted_on, channel=channel, display_days=days, posted_by=actor.cadre,
        # The office entering an earlier date vouches for it (recorded); a cadre's date is a claim.
        posted_on_confirmed_by_id=actor.user_id if office and posted_on < today else None,
    )
    if clean_photo is not None:
        disclosure.photo.save(clean_photo.name or "board.jpg", clean_photo, save=False)
    disclosure.save()
    return disclosure


def _subject(actor: Any, *, subject_kind: str, village: Village | None, school: School | None,
             township: Township | None) -> tuple[str, int]:
    """The subject's kind and township; refuses a missing or mismatched subject (field errors)."""
    if subject_kind not in Subject.values:
        raise ValidationError({"subject_kind": [_("请选择公开主体。")]})
    if subject_kind == Subject.VILLAGE:
        if village is None:
            raise ValidationError({"village": [_("请选择村（社区）。")]})
        return subject_kind, village.township_id
    if subject_kind == Subject.SCHOOL:
        if school is None or not school.is_active:
            raise ValidationError({"school": [_("请选择学校。")]})
        return subject_kind, school.township_id
    township_id = township.pk if township is not None else actor.township_id
    if township_id is None:
        raise ValidationError({"township": [_("请选择乡镇。")]})
    return subject_kind, township_id


# --- the quarterly check --------------------------------------------------------------------------


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


@transaction.atomic
def disclosure_check_run(
    *, actor: Actor, year: int, quarter: int, township: Township | None = None, today: date | None = None
) -> CheckRunSummary:
    """Compile (or recompile) the quarter's check for every village of a township (all townships
    when none is given), and for the township itself and each of its schools where 政务 or 校务
    requirements apply. Idempotent: the unique keys (village / school / township, year, quarter)
    and (check, requirement, period start) are updated in place; an item adjusted by the office
    keeps its result."""
    require_system(actor)
    q = Quarter(year, quarter)
    today = today or timezone.localdate()
    if q.end >= today:
        raise DomainError(_("%(q)s 尚未结束，季度结束后才能检查。") % {"q": q.label})
    summary = CheckRunSummary(quarter=q)
    # Runs of the same township queue behind each other (beat and an admin click at once).
    township_qs = Township.objects.select_for_update().order_by("pk")
    townships = list(township_qs.filter(pk=township.pk) if township else township_qs)
    township_ids = [t.pk for t in townships]
    summary.townships = len(townships)
    requirements = {(tid, kind): rows for tid in township_ids for kind, rows in requirements_by_kind(tid).items()}
    villages = check_subjects(townships, requirements)
    summary.villages = sum(1 for v in villages if v.kind == Subject.VILLAGE)
    summary.schools = sum(1 for v in villages if v.kind == Subject.SCHOOL)
    summary.township_checks = sum(1 for v in villages if v.kind == Subject.TOWNSHIP)
    if not villages:
        return summary
    rubrics = list(DisclosureRubric.objects.filter(Q(township__isnull=True) | Q(township_id__in=township_ids)))

    # Only the quarter's disclosures (plus, in Q4, the year's annual items): time grows with the
    # quarter, never with all of history.
    window = Q(period_start__lte=q.end, period_end__gte=q.start) | Q(decision_date__range=(q.start, q.end))
    if q.quarter == 4:
        annual = {(r.domain, r.category) for rs in requirements.values() for r in rs if r.frequency == Frequency.ANNUAL}
        for domain, category in annual:
            window |= Q(period_end__gte=date(q.year, 1, 1), period_start__lte=q.end, domain=domain, category=category)
    postings: dict[tuple[SubjectKey, int], list[Disclosure]] = defaultdict(list)
    wanted = {r.pk for rs in requirements.values() for r in rs}
    by_category = {key: {(r.domain, r.category): r.pk for r in rs} for key, rs in requirements.items()}
    # Postings dated after `today` cannot have been seen on the day the check stands for.
    for d in Disclosure.objects.filter(township_id__in=township_ids, posted_on__lte=today).filter(
        window
    ).only(
        "pk", "subject_kind", "village_id", "school_id", "township_id", "requirement_id", "domain", "category",
        "period_start", "period_end", "decision_date", "posted_on", "created_at", "posted_on_confirmed_by",
    ).order_by("posted_on", "pk"):
        requirement_id = _requirement_key(d, by_category.get((d.township_id, d.subject_kind), {}), wanted)
        if requirement_id is not None:
            postings[(subject_key(d), requirement_id)].append(d)

    existing = {
        subject_key(c): c
        for c in DisclosureCheck.objects.filter(township_id__in=township_ids, year=q.year, quarter=q.quarter)
        .prefetch_related(Prefetch("items", queryset=DisclosureCheckItem.objects.order_by("pk")))
    }

    # 1. Judge every village's items in memory: what to create, update or drop.
    now = timezone.now()
    fresh: dict[SubjectKey, list[DisclosureCheckItem]] = defaultdict(list)  # subject → new items (no check yet)
    items_to_update: list[DisclosureCheckItem] = []
    items_to_delete: list[int] = []
    check_results: dict[SubjectKey, list[str]] = {}
    frozen: set[SubjectKey] = set()  # subjects whose check is reviewed: judged, never written
    for village in villages:
        check = existing.get(village.key)
        current = {(i.requirement_id, i.period_start): i for i in check.items.all()} if check else {}
        judged = _judged(requirements[(village.township_id, village.kind)], postings, village.key, q, today)
        if check is not None and check.status == DisclosureCheck.Status.REVIEWED:
            # A reviewed check is frozen: the figures the office signed stay as they are (and so do
            # the pledge scores read from them); the run only says whether a recompile would differ.
            frozen.add(village.key)
            if _frozen_check_differs(check, current, judged, rubric_for(village.township_id, rubrics)):
                summary.frozen_differing.append(village.name)
            continue
        seen: set[tuple[int, date]] = set()
        results: list[str] = []
        for requirement, period, computed, first in judged:
            item_key = (requirement.pk, period.start)
            seen.add(item_key)
            item = current.get(item_key)
            disclosure_id = first.pk if first else None
            if item is None:
                item = DisclosureCheckItem(
                    requirement=requirement, period_start=period.start, period_end=period.end,
                    due_date=period.due, result=computed, computed_result=computed, disclosure_id=disclosure_id,
                )
                fresh[village.key].append(item)
            else:
                changed = (item.period_end, item.due_date, item.computed_result, item.disclosure_id) != (
                    period.end, period.due, computed, disclosure_id)
                if not item.adjusted and item.result != computed:
                    changed = True
                    item.result = computed
                if changed:
                    item.period_end, item.due_date = period.end, period.due
                    item.computed_result, item.disclosure_id = computed, disclosure_id
                    items_to_update.append(item)
            results.append(item.result)
            counts = summary.by_domain.setdefault(requirement.domain, {"on_time": 0, "late": 0, "missing": 0})
            counts[item.result] += 1
        for item_key, item in current.items():
            if item_key in seen:
                continue
            if item.adjusted:
                results.append(item.result)
            else:
                items_to_delete.append(item.pk)
        check_results[village.key] = results

    # 2. The checks' figures; new checks are inserted once, with their final figures.
    new_checks: list[DisclosureCheck] = []
    checks_to_update: list[DisclosureCheck] = []
    gap_villages: list[SubjectKey] = []
    for village in villages:
        if village.key in frozen:  # its figures as reviewed; its cadres were told when it was compiled
            stored = existing[village.key]
            summary.frozen += 1
            summary.on_time += stored.on_time_count
            summary.late += stored.late_count
            summary.missing += stored.missing_count
            if stored.missing_count or stored.late_count:
                summary.villages_with_gaps.append(village.name)
            continue
        results = check_results[village.key]
        on_time, late, missing = (results.count(Result.ON_TIME), results.count(Result.LATE),
                                  results.count(Result.MISSING))
        summary.on_time += on_time
        summary.late += late
        summary.missing += missing
        if missing or late:
            gap_villages.append(village.key)
            summary.villages_with_gaps.append(village.name)
        rubric = rubric_for(village.township_id, rubrics)
        check = existing.get(village.key)
        deadline = (check.rectification_deadline if check else None) or (
            today + timedelta(days=rubric.rectification_days))
        values = (on_time, late, missing, score_for(rubric, missing=missing, late=late), deadline if missing else None)
        if check is None:
            check = DisclosureCheck(township_id=village.township_id, subject_kind=village.kind, **village.ids(),
                                    year=q.year, quarter=q.quarter, compiled_at=now)
            (check.on_time_count, check.late_count, check.missing_count, check.score,
             check.rectification_deadline) = values
            new_checks.append(check)
        elif (check.on_time_count, check.late_count, check.missing_count, check.score,
              check.rectification_deadline) != values:
            (check.on_time_count, check.late_count, check.missing_count, check.score,
             check.rectification_deadline) = values
            check.compiled_at = now
            checks_to_update.append(check)

    # 3. Write in bulk: a constant number of statements whatever the number of villages (SQLite
    #    splits a bulk insert into statements of at most 999 parameters).
    if new_checks:
        created = bulk_create_with_history(new_checks, DisclosureCheck)
        if any(c.pk is None for c in created):  # backends that do not return keys from a bulk insert
            keys = {subject_key(c) for c in new_checks}
            created = [c for c in DisclosureCheck.objects.filter(township_id__in=township_ids, year=q.year,
                                                                 quarter=q.quarter) if subject_key(c) in keys]
        for check in created:
            existing[subject_key(check)] = check
    items_to_create = []
    for key, items in fresh.items():
        for item in items:
            item.check_run = existing[key]
            items_to_create.append(item)
    if items_to_create:
        bulk_create_with_history(items_to_create, DisclosureCheckItem)
    if items_to_update:
        bulk_update_with_history(items_to_update, DisclosureCheckItem,
                                 ["result", "computed_result", "period_end", "due_date", "disclosure"])
    if items_to_delete:
        DisclosureCheckItem.objects.filter(pk__in=items_to_delete).delete()
    if checks_to_update:
        bulk_update_with_history(checks_to_update, DisclosureCheck, [
            "on_time_count", "late_count", "missing_count", "score", "rectification_deadline", "compiled_at"])
    summary.checks_created, summary.checks_updated = len(new_checks), len(checks_to_update)
    summary.items_created, summary.items_updated = len(items_to_create), len(items_to_update)
    summary.items_removed = len(items_to_delete)
    if gap_villages:
        gaps = [existing[v].pk for v in gap_villages]
        transaction.on_commit(lambda: notify_check_gaps(gaps))
    return summary

def notify_check_gaps(check_ids: list[int]) -> int:
    """Tell each village's cadres about their check's gaps (the office, for the township's and a
    school's check); once per subject and quarter."""
    checks = list(DisclosureCheck.objects.filter(pk__in=check_ids).select_related("village", "school", "township"))
    cadres_by_village: dict[int, list[Cadre]] = defaultdict(list)
    for cadre in Cadre.objects.filter(
        village_id__in=[c.village_id for c in checks if c.village_id], level=Cadre.Level.VILLAGE, is_active=True,
        user__isnull=False,
    ).select_related("user"):
        if cadre.village_id is not None:
            cadres_by_village[cadre.village_id].append(cadre)
    sent = 0
    for check in checks:
        if check.subject_kind != Subject.VILLAGE:
            body = _("缺项%(m)s项，逾期%(l)s项，得分%(s)s。") % {"m": check.missing_count, "l": check.late_count,
                                                           "s": check.score}
            kind, pk = subject_key(check)
            sent += notify(
                users=office_users(check.township_id), kind=NotificationKind.DISCLOSURE_CHECK,
                title=_("%(subject)s %(year)s年第%(q)s季度公开检查结果") % {
                    "subject": check.subject_name, "year": check.year, "q": check.quarter},
                body=body, url=reverse("disclosure-check-show", args=[check.pk]),
                dedupe_key=f"disclosure-check:{kind}:{pk}:{check.year}Q{check.quarter}",
            )
            continue
        body = _("缺项%(m)s项，逾期%(l)s项，得分%(s)s。") % {"m": check.missing_count, "l": check.late_count,
                                                       "s": check.score}
        if check.rectification_deadline:
            body += _("请于%(d)s前整改。") % {"d": f"{check.rectification_deadline:%Y年%m月%d日}"}
        sent += notify_cadres(
            cadres=cadres_by_village[check.village_id], kind=NotificationKind.DISCLOSURE_CHECK,
            title=_("%(village)s %(year)s年第%(q)s季度村务公开检查结果") % {
                "village": check.village.name, "year": check.year, "q": check.quarter},
            body=body, url=reverse("disclosure-check-show", args=[check.pk]),
            dedupe_key=f"disclosure-check:{check.village_id}:{check.year}Q{check.quarter}",
        )
    return sent


# --- review and adjustment --------------------------------------------------------------------------


def _require_office(actor: Actor, township_id: int) -> None:
    require_office(actor, township_id, _("只有本镇党政办可以审核公开检查。"))


def _recount(check: DisclosureCheck) -> DisclosureCheck:
    counts = check.items.aggregate(
        on_time=Count("pk", filter=Q(result=Result.ON_TIME)),
        late=Count("pk", filter=Q(result=Result.LATE)),
        missing=Count("pk", filter=Q(result=Result.MISSING)),
    )
    rubric = rubric_for(check.township_id, list(DisclosureRubric.objects.filter(
        Q(township__isnull=True) | Q(township_id=check.township_id))))
    check.on_time_count, check.late_count, check.missing_count = counts["on_time"], counts["late"], counts["missing"]
    check.score = score_for(rubric, missing=counts["missing"], late=counts["late"])
    if not counts["missing"]:
        check.rectification_deadline = None
    elif check.rectification_deadline is None:
        check.rectification_deadline = timezone.localdate() + timedelta(days=rubric.rectification_days)
    check.save(update_fields=["on_time_count", "late_count", "missing_count", "score", "rectification_deadline"])
    return check


@transaction.atomic
def disclosure_check_item_adjust(*, item: DisclosureCheckItem, result: str, reason: str, actor: Actor) -> DisclosureCheckItem:
    """The office corrects one item (e.g. a posting the job could not see) with a reason; the
    item's history keeps every change and later runs leave the office's result alone."""
    # The township first, as the check run locks it: an adjustment and a rerun never interleave.
    township_id = DisclosureCheck.objects.filter(pk=item.check_run_id).values_list("township_id", flat=True).get()
    Township.objects.select_for_update().filter(pk=township_id).values_list("pk", flat=True).get()
    check = DisclosureCheck.objects.select_for_update().get(pk=item.check_run_id)
    item = DisclosureCheckItem.objects.select_for_update().get(pk=item.pk)
    _require_office(actor, check.township_id)
    if result not in Result.values:
        raise DomainError(_("请选择检查结果。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("调整检查结果必须填写理由。"))
    if len(reason) > 300:
        raise DomainError(_("调整理由不能超过300字。"))
    item.result = result
    item.adjusted = True
    item.adjust_reason = reason
    item.adjusted_by_id = actor.user_id
    item.adjusted_at = timezone.now()
    item.save(update_fields=["result", "adjusted", "adjust_reason", "adjusted_by", "adjusted_at"])
    _recount(check)
    return item


@transaction.atomic
def disclosure_check_review(*, check: DisclosureCheck, actor: Actor, notes: str = "") -> DisclosureCheck:
    check = DisclosureCheck.objects.select_for_update().get(pk=check.pk)
    _require_office(actor, check.township_id)
    if check.status == DisclosureCheck.Status.REVIEWED:
        raise StateError(_("该检查已审核。"))
    if len(notes) > 3000:
        raise DomainError(_("备注不能超过3000字。"))
    check.status = DisclosureCheck.Status.REVIEWED
    check.checker_id = actor.user_id
    check.reviewed_at = timezone.now()
    if notes.strip():
        check.notes = notes.strip()
    check.save(update_fields=["status", "checker", "reviewed_at", "notes"])
    return check
