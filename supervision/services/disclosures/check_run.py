"""The quarterly check run (disclosure_check_run) and the notice of its gaps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import Cadre, Township
from cadres.roles import Actor, require_system
from core.errors import DomainError
from core.notifications import notify, notify_cadres
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    Subject,
)
from supervision.notifications import NotificationKind
from supervision.quarters import Quarter
from supervision.services._common import office_users
from supervision.services.disclosures.judging import (
    CheckRunSummary,
    CheckSubject,
    Judged,
    SubjectKey,
    _frozen_check_differs,
    _judged,
    _requirement_key,
    check_subjects,
    rubric_for,
    score_for,
    subject_key,
)
from supervision.services.disclosures.requirements import Frequency, requirements_by_kind

Result = DisclosureCheckItem.Result


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
    postings = _quarter_postings(township_ids, requirements, q, today)
    existing = {
        subject_key(c): c
        for c in DisclosureCheck.objects.filter(township_id__in=township_ids, year=q.year, quarter=q.quarter)
        .prefetch_related(Prefetch("items", queryset=DisclosureCheckItem.objects.order_by("pk")))
    }
    plan = _RunPlan()
    _judge_items(plan, villages=villages, existing=existing, requirements=requirements, postings=postings, q=q,
                 today=today, rubrics=rubrics, summary=summary)
    _figure_checks(plan, villages=villages, existing=existing, rubrics=rubrics, summary=summary, q=q, today=today)
    _write(plan, existing=existing, township_ids=township_ids, q=q, summary=summary)
    if plan.gap_villages:
        gaps = [existing[v].pk for v in plan.gap_villages]
        transaction.on_commit(lambda: notify_check_gaps(gaps))
    return summary


@dataclass
class _RunPlan:
    """What a run will write, worked out in memory before a single row is written."""

    now: datetime = field(default_factory=timezone.now)
    fresh: dict[SubjectKey, list[DisclosureCheckItem]] = field(
        default_factory=lambda: defaultdict(list))  # subject → new items (no check yet)
    items_to_update: list[DisclosureCheckItem] = field(default_factory=list)
    items_to_delete: list[int] = field(default_factory=list)
    check_results: dict[SubjectKey, list[str]] = field(default_factory=dict)
    frozen: set[SubjectKey] = field(default_factory=set)  # subjects whose check is reviewed: judged, never written
    new_checks: list[DisclosureCheck] = field(default_factory=list)
    checks_to_update: list[DisclosureCheck] = field(default_factory=list)
    gap_villages: list[SubjectKey] = field(default_factory=list)


def _quarter_postings(township_ids: list[int], requirements: dict[tuple[int, str], list[DisclosureRequirement]],
                      q: Quarter, today: date) -> dict[tuple[SubjectKey, int], list[Disclosure]]:
    """Each subject's postings per requirement, oldest first. Only the quarter's disclosures (plus,
    in Q4, the year's annual items): time grows with the quarter, never with all of history."""
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
    return postings


def _judge_items(plan: _RunPlan, *, villages: list[CheckSubject], existing: dict[SubjectKey, DisclosureCheck],
                 requirements: dict[tuple[int, str], list[DisclosureRequirement]],
                 postings: dict[tuple[SubjectKey, int], list[Disclosure]], q: Quarter, today: date,
                 rubrics: list[DisclosureRubric], summary: CheckRunSummary) -> None:
    """Step 1: judge every village's items in memory: what to create, update or drop."""
    for village in villages:
        check = existing.get(village.key)
        current = {(i.requirement_id, i.period_start): i for i in check.items.all()} if check else {}
        judged = _judged(requirements[(village.township_id, village.kind)], postings, village.key, q, today)
        if check is not None and check.status == DisclosureCheck.Status.REVIEWED:
            # A reviewed check is frozen: the figures the office signed stay as they are (and so do
            # the pledge scores read from them); the run only says whether a recompile would differ.
            plan.frozen.add(village.key)
            if _frozen_check_differs(check, current, judged, rubric_for(village.township_id, rubrics)):
                summary.frozen_differing.append(village.name)
            continue
        plan.check_results[village.key] = _judge_subject_items(plan, village.key, current, judged, summary)


def _judge_subject_items(plan: _RunPlan, key: SubjectKey, current: dict[tuple[int, date], DisclosureCheckItem],
                         judged: list[Judged], summary: CheckRunSummary) -> list[str]:
    """One subject's items against its stored ones; returns the results its check counts."""
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
            plan.fresh[key].append(item)
        else:
            changed = (item.period_end, item.due_date, item.computed_result, item.disclosure_id) != (
                period.end, period.due, computed, disclosure_id)
            if not item.adjusted and item.result != computed:
                changed = True
                item.result = computed
            if changed:
                item.period_end, item.due_date = period.end, period.due
                item.computed_result, item.disclosure_id = computed, disclosure_id
                plan.items_to_update.append(item)
        results.append(item.result)
        counts = summary.by_domain.setdefault(requirement.domain, {"on_time": 0, "late": 0, "missing": 0})
        counts[item.result] += 1
    for item_key, item in current.items():
        if item_key in seen:
            continue
        if item.adjusted:
            results.append(item.result)
        else:
            plan.items_to_delete.append(item.pk)
    return results


def _figure_checks(plan: _RunPlan, *, villages: list[CheckSubject], existing: dict[SubjectKey, DisclosureCheck],
                   rubrics: list[DisclosureRubric], summary: CheckRunSummary, q: Quarter, today: date) -> None:
    """Step 2: the checks' figures; new checks are inserted once, with their final figures."""
    for village in villages:
        if village.key in plan.frozen:  # its figures as reviewed; its cadres were told when it was compiled
            stored = existing[village.key]
            summary.frozen += 1
            summary.on_time += stored.on_time_count
            summary.late += stored.late_count
            summary.missing += stored.missing_count
            if stored.missing_count or stored.late_count:
                summary.villages_with_gaps.append(village.name)
            continue
        results = plan.check_results[village.key]
        on_time, late, missing = (results.count(Result.ON_TIME), results.count(Result.LATE),
                                  results.count(Result.MISSING))
        summary.on_time += on_time
        summary.late += late
        summary.missing += missing
        if missing or late:
            plan.gap_villages.append(village.key)
            summary.villages_with_gaps.append(village.name)
        rubric = rubric_for(village.township_id, rubrics)
        check = existing.get(village.key)
        deadline = (check.rectification_deadline if check else None) or (
            today + timedelta(days=rubric.rectification_days))
        values = (on_time, late, missing, score_for(rubric, missing=missing, late=late), deadline if missing else None)
        if check is None:
            check = DisclosureCheck(township_id=village.township_id, subject_kind=village.kind, **village.ids(),
                                    year=q.year, quarter=q.quarter, compiled_at=plan.now)
            (check.on_time_count, check.late_count, check.missing_count, check.score,
             check.rectification_deadline) = values
            plan.new_checks.append(check)
        elif (check.on_time_count, check.late_count, check.missing_count, check.score,
              check.rectification_deadline) != values:
            (check.on_time_count, check.late_count, check.missing_count, check.score,
             check.rectification_deadline) = values
            check.compiled_at = plan.now
            plan.checks_to_update.append(check)


def _write(plan: _RunPlan, *, existing: dict[SubjectKey, DisclosureCheck], township_ids: list[int], q: Quarter,
           summary: CheckRunSummary) -> None:
    """Step 3: write in bulk: a constant number of statements whatever the number of villages
    (SQLite splits a bulk insert into statements of at most 999 parameters)."""
    if plan.new_checks:
        created = bulk_create_with_history(plan.new_checks, DisclosureCheck)
        if any(c.pk is None for c in created):  # backends that do not return keys from a bulk insert
            keys = {subject_key(c) for c in plan.new_checks}
            created = [c for c in DisclosureCheck.objects.filter(township_id__in=township_ids, year=q.year,
                                                                 quarter=q.quarter) if subject_key(c) in keys]
        for check in created:
            existing[subject_key(check)] = check
    items_to_create = []
    for key, items in plan.fresh.items():
        for item in items:
            item.check_run = existing[key]
            items_to_create.append(item)
    if items_to_create:
        bulk_create_with_history(items_to_create, DisclosureCheckItem)
    if plan.items_to_update:
        bulk_update_with_history(plan.items_to_update, DisclosureCheckItem,
                                 ["result", "computed_result", "period_end", "due_date", "disclosure"])
    if plan.items_to_delete:
        DisclosureCheckItem.objects.filter(pk__in=plan.items_to_delete).delete()
    if plan.checks_to_update:
        bulk_update_with_history(plan.checks_to_update, DisclosureCheck, [
            "on_time_count", "late_count", "missing_count", "score", "rectification_deadline", "compiled_at"])
    summary.checks_created, summary.checks_updated = len(plan.new_checks), len(plan.checks_to_update)
    summary.items_created, summary.items_updated = len(items_to_create), len(plan.items_to_update)
    summary.items_removed = len(plan.items_to_delete)


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
