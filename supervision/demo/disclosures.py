"""Demo data: disclosures and the quarterly checks."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cadres.models import Cadre, Post, School, Unit, Village
from cadres.roles import SYSTEM, actor_for
from supervision.demo._common import at, duty_context
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureRequirement,
    Subject,
)
from supervision.quarters import Quarter, last_due_quarter
from supervision.services import disclosures as disclosure_services

DISCLOSURE_TITLES = {
    "村务工作计划及落实情况": "村务工作计划及落实情况公开",
    "惠农补贴及救助资金发放": "惠农补贴及救助资金发放明细",
    "低保、五保及救助对象": "低保、特困供养及临时救助对象公示",
    "宅基地使用及集体土地承包": "宅基地审批及集体土地承包情况",
    "党员发展与党费收缴": "党员发展及党费收缴情况",
    "村级财务收支": "村级财务收支明细",
    "重大事项（一事一议、工程项目）": "一事一议项目公示",
    "年度村务与财务审计结果": "年度村务与财务审计结果",
}


def _disclosures(ctx: Any, township: Any, rng: random.Random) -> None:
    today: dt.date = ctx.today
    if Disclosure.objects.filter(township=township).exists():
        ctx.out(f"    {township.name}: disclosures already seeded")
        return
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    posters = {c.village_id: c for c in Cadre.objects.filter(
        township=township, post=Post.VILLAGE_SECRETARY, is_active=True).order_by("id") if c.village_id}
    requirements = disclosure_services.requirements_for(township.pk)
    rows: list[Disclosure] = []
    quarter = Quarter(today.year, 1)
    while quarter.end < today:
        for village_index, village in enumerate(villages):
            # Two villages are sloppy (gaps and late postings); the first village misses one item.
            sloppy = village_index in (2, 5)
            for requirement in requirements:
                if requirement.frequency == DisclosureRequirement.Frequency.IMMEDIATE:
                    for _n in range(rng.randint(0, 1)):
                        decided = quarter.start + dt.timedelta(days=rng.randint(5, 80))
                        delay = rng.choice([1, 2, 3, 4, 8]) if not sloppy else rng.randint(3, 12)
                        rows.append(_disclosure(village, requirement, decided, decided, decided + dt.timedelta(
                            days=delay), posters, decision=decided))
                    continue
                for period in disclosure_services.periods(requirement, quarter):
                    roll = rng.random()
                    if village_index == 0 and quarter == last_due_quarter(today) and \
                            requirement.frequency == DisclosureRequirement.Frequency.QUARTERLY and roll < 0.5:
                        continue  # 东河村 misses an item last quarter: village1 has a gap to rectify
                    if (sloppy and roll < 0.2) or roll < 0.03:
                        continue  # missing
                    late = (sloppy and roll < 0.45) or roll < 0.1
                    posted = period.due + dt.timedelta(days=rng.randint(2, 15)) if late else \
                        period.due - dt.timedelta(days=rng.randint(1, 9))
                    if posted > today:
                        continue
                    rows.append(_disclosure(village, requirement, period.start, period.end, posted, posters))
        quarter = quarter.next()
    bulk_create_with_history(rows, Disclosure, batch_size=500)
    ctx.out(f"    {township.name}: {len(rows)} disclosures")


def _township_and_schools(ctx: Any, township: Any, poster: Cadre | None, rng: random.Random) -> None:
    """The township switches on its 政务 and 校务 requirements (its own copies of the offered
    defaults) and the office (`poster`, one of its cadres) posts most items for the township and
    each school."""
    if Disclosure.objects.filter(township=township).exclude(subject_kind=Subject.VILLAGE).exists():
        return
    for general in DisclosureRequirement.objects.filter(township__isnull=True).exclude(applies_to=Subject.VILLAGE):
        DisclosureRequirement.objects.get_or_create(
            township=township, domain=general.domain, category=general.category,
            defaults={"frequency": general.frequency, "due_day": general.due_day, "order": general.order,
                      "applies_to": general.applies_to, "min_display_days": general.min_display_days,
                      "is_active": True})
    by_kind = disclosure_services.requirements_by_kind(township.pk)
    subjects: list[tuple[str, School | None]] = [(Subject.TOWNSHIP, None)]
    subjects += [(Subject.SCHOOL, school) for school in School.objects.filter(township=township, is_active=True)]
    rows: list[Disclosure] = []
    today: dt.date = ctx.today
    quarter = Quarter(today.year, 1)
    while quarter.end < today:
        for kind, school in subjects:
            for requirement in by_kind[kind]:
                for period in disclosure_services.periods(requirement, quarter):
                    roll = rng.random()
                    if roll < 0.1:
                        continue  # missing
                    posted = period.due - dt.timedelta(days=rng.randint(1, 9)) if roll > 0.25 else \
                        period.due + dt.timedelta(days=rng.randint(2, 10))
                    if posted > today:
                        continue
                    owner = school.name if school else township.name
                    rows.append(Disclosure(
                        township=township, subject_kind=kind, school=school, requirement=requirement,
                        domain=requirement.domain, category=requirement.category,
                        title=f"{owner}{period.start:%Y年%m月}{requirement.category}",
                        content=f"{requirement.category}。详见公开栏及镇政府网站。", period_start=period.start,
                        period_end=period.end, posted_on=posted, channel=Disclosure.Channel.WEBSITE,
                        display_days=max(10, requirement.min_display_days), posted_by=poster,
                        created_at=at(posted, 10),
                    ))
        quarter = quarter.next()
    bulk_create_with_history(rows, Disclosure, batch_size=500)
    ctx.out(f"    {township.name}: {len(rows)} disclosures of the township and its schools")


def _disclosure(village: Village, requirement: DisclosureRequirement, start: dt.date, end: dt.date,
                posted: dt.date, posters: dict[int, Cadre], *, decision: dt.date | None = None) -> Disclosure:
    title = DISCLOSURE_TITLES.get(requirement.category, requirement.category)
    period = f"{start:%Y年%m月}" if start.month == end.month else f"{start:%Y年%m月}至{end:%m月}"
    return Disclosure(
        township_id=village.township_id, village=village, requirement=requirement, domain=requirement.domain,
        category=requirement.category, title=f"{village.name}{period}{title}",
        content=f"{title}（{period}）。详见公开栏，群众如有疑问请与村务监督委员会联系。",
        period_start=start, period_end=end, decision_date=decision, posted_on=posted,
        channel=Disclosure.Channel.BOARD, display_days=max(10, requirement.min_display_days),
        posted_by=posters.get(village.pk), created_at=at(posted, 16),
    )


def _checks(ctx: Any, township: Any, office: Any) -> None:
    """This year's checks up to the last quarter that fell due (the service is idempotent), run as
    the system; the earlier quarters reviewed by the office log-in (the main township) or, in a
    generated township that has no log-ins, by the system."""
    reviewer = actor_for(office) if office is not None else SYSTEM
    today: dt.date = ctx.today
    last = last_due_quarter(today)
    quarter = Quarter(last.year, 1)
    while quarter <= last:
        summary = disclosure_services.disclosure_check_run(year=quarter.year, quarter=quarter.quarter,
                                                           township=township, today=quarter.check_date, actor=SYSTEM)
        if quarter < last:
            for check in DisclosureCheck.objects.filter(township=township, year=quarter.year, quarter=quarter.quarter,
                                                        status=DisclosureCheck.Status.COMPILED):
                disclosure_services.disclosure_check_review(check=check, actor=reviewer, notes="已核查公开栏。")
        ctx.out(f"    {township.name}: {summary.as_text()}")
        quarter = quarter.next()


def seed(ctx: Any) -> None:
    """Seed the disclosures, then run the quarterly checks over them."""
    found = duty_context(ctx, "disclosures")
    if found is None:
        return
    township, _users, office = found
    with transaction.atomic():
        _disclosures(ctx, township, ctx.rng_for("supervision.disclosures"))
        _township_and_schools(ctx, township, getattr(office, "cadre", None),
                              ctx.rng_for("supervision.disclosures.township"))
    _checks(ctx, township, office)
    # A county: every generated township posts its own items (its office, 党政办, for the township
    # and its schools) and is checked quarter by quarter, each on its own random streams.
    for other in ctx.generated_townships():
        with transaction.atomic():
            _disclosures(ctx, other, ctx.rng_for(f"supervision.disclosures.{other.code}"))
            _township_and_schools(ctx, other, _office_cadre(other),
                                  ctx.rng_for(f"supervision.disclosures.township.{other.code}"))
        _checks(ctx, other, None)


def _office_cadre(township: Any) -> Cadre | None:
    """The first staff member of the township's office (党政办): who posts for a generated township."""
    return (Cadre.objects.filter(township=township, unit__kind=Unit.Kind.OFFICE, unit__name="党政办",
                                 post=Post.STAFF, is_active=True).order_by("id").first())
