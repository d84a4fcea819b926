"""October 2026 in the world's township (东河镇): a small, exactly known set of records for the
bulletin to report, plus records just outside the period or the township that must not count.

Calendar: 1–7 October are the National Day holiday and Saturday 10 October is a make-up workday,
so October 2026 has 18 workdays (8, 9, 10 and the weeks from the 12th).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cadres.models import CalendarDay, ExcusedAbsence, HouseholdContact, ModelFigure, Training, TrainingAttendance
from supervision.models import (
    AgendaItem,
    Diary,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    Inspection,
    InspectionFinding,
    Matter,
    Pledge,
)
from tests import factories as f

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
FORMULA_IDEA = '=HYPERLINK("http://example.invalid","点我")'


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def diary(author, day: dt.date, village, *, on_time: bool = True, households=(), deleted: bool = False,
          category: str = "other", problems: str = "", ideas: str = "") -> Diary:  # type: ignore[no-untyped-def]
    d = Diary.objects.create(
        township=author.township, author=author, date=day, village=village, situation="走访了解情况",
        on_time=on_time, category=category, problems=problems, ideas=ideas,
        deleted_at=at(day) if deleted else None,
    )
    d.households.set(households)
    return d


def matter(w, *, created: dt.date, status: str, deadline: dt.date | None, unit=None, village=None,
           source: str = "diary", resolved: dt.date | None = None, closed: dt.date | None = None,
           township=None, category: str = "infrastructure") -> Matter:  # type: ignore[no-untyped-def]
    return Matter.objects.create(
        township=township or w.township, source=source, village=village or w.v1, category=category,
        description="道路破损需修复", status=status, unit=unit, deadline=deadline, created_at=at(created),
        resolved_at=at(resolved) if resolved else None, closed_at=at(closed) if closed else None,
    )


@pytest.fixture
def october(world):  # type: ignore[no-untyped-def]
    return build_october(world)


def build_october(world):  # type: ignore[no-untyped-def]
    w = world
    o = SimpleNamespace(world=w, start=START, end=END)
    # The national calendar comes from a data migration; a transactional test elsewhere in the
    # run may have flushed it, so the days this fixture relies on are made sure of here.
    for day in range(1, 8):
        CalendarDay.objects.get_or_create(township=None, date=dt.date(2026, 10, day), defaults={"name": "国庆节"})
    CalendarDay.objects.get_or_create(township=None, date=dt.date(2026, 10, 10),
                                      defaults={"is_workday": True, "name": "国庆节调休上班"})

    # Diaries: cadre1 on 8 (on time), 9 (late), 10 (make-up workday) and 11 (Sunday: not a duty day).
    o.d1 = diary(w.cadre1, dt.date(2026, 10, 8), w.v1, households=[w.h1], category="infrastructure",
                 problems="水渠破损")
    o.d2 = diary(w.cadre1, dt.date(2026, 10, 9), w.v1, on_time=False, ideas="建议修建蓄水池")
    diary(w.cadre1, dt.date(2026, 10, 10), w.v1, households=[w.h3], category="industry")
    diary(w.cadre1, dt.date(2026, 10, 11), w.v1, category="industry")
    diary(w.cadre2, dt.date(2026, 10, 12), w.v2, households=[w.h2], category="livelihood")
    # cadre3 is on leave 12–16 October; the diary written on the 13th is not a duty day's diary.
    ExcusedAbsence.objects.create(cadre=w.cadre3, start=dt.date(2026, 10, 12), end=dt.date(2026, 10, 16))
    diary(w.cadre3, dt.date(2026, 10, 13), w.v3, category="livelihood")
    diary(w.village1, dt.date(2026, 10, 14), w.v1, category="disputes")
    # Not counted: before the period, deleted, another township.
    diary(w.cadre2, dt.date(2026, 9, 30), w.v2, households=[w.h2])
    diary(w.cadre2, dt.date(2026, 10, 13), w.v2, deleted=True)
    diary(w.outsider, dt.date(2026, 10, 12), w.v_other)

    # Contact households: h1 (cadre1, poor party member) and h2 (cadre2) visited; h3 (cadre3) was
    # visited by cadre1, not by its own cadre.
    HouseholdContact.objects.create(cadre=w.cadre3, household=w.h3, start=dt.date(2026, 1, 1))

    # Matters.
    o.m1 = matter(w, created=dt.date(2026, 10, 9), status="in_progress", deadline=dt.date(2026, 10, 20),
                  unit=w.unit, village=w.v1)
    o.m2 = matter(w, created=dt.date(2026, 10, 12), status="closed", deadline=dt.date(2026, 10, 27),
                  source="hotline", resolved=dt.date(2026, 10, 15), closed=dt.date(2026, 10, 20), unit=w.unit2,
                  village=w.v2, category="livelihood")
    o.m3 = matter(w, created=dt.date(2026, 9, 1), status="assigned", deadline=dt.date(2026, 9, 16), unit=w.unit2,
                  village=w.v3)
    matter(w, created=dt.date(2026, 9, 1), status="resolved", deadline=dt.date(2026, 9, 16),
           resolved=dt.date(2026, 9, 10), unit=w.unit2, village=w.v3)
    matter(w, created=dt.date(2026, 10, 5), status="in_progress", deadline=dt.date(2026, 10, 6),
           township=w.other_township, village=w.v_other)

    # Pledges of 2026: one in force, one issued; one of 2025 that does not count.
    Pledge.objects.create(township=w.township, year=2026, level="village", pledger_village=w.v1, superior=w.head,
                          status="countersigned")
    Pledge.objects.create(township=w.township, year=2026, level="staff", pledger_cadre=w.cadre1,
                          superior=w.unit_head, status="issued")
    Pledge.objects.create(township=w.township, year=2025, level="village", pledger_village=w.v2, superior=w.head,
                          status="assessed")

    # Disclosure: the 2026 Q3 check (the latest quarter that started by 31 October).
    req_a = DisclosureRequirement.objects.create(domain="finance", category="财务收支明细", frequency="monthly")
    req_b = DisclosureRequirement.objects.create(domain="village_affairs", category="村务工作计划", frequency="quarterly")
    o.check_v1 = DisclosureCheck.objects.create(
        township=w.township, village=w.v1, year=2026, quarter=3, score=Decimal("84.0"), on_time_count=5,
        late_count=1, missing_count=2, rectification_deadline=dt.date(2026, 11, 15))
    DisclosureCheck.objects.create(township=w.township, village=w.v2, year=2026, quarter=3, score=Decimal("100"),
                                   on_time_count=8)
    DisclosureCheck.objects.create(township=w.township, village=w.v1, year=2026, quarter=2, score=Decimal("60"),
                                   missing_count=8)
    for req, start in ((req_a, dt.date(2026, 8, 1)), (req_b, dt.date(2026, 7, 1))):
        DisclosureCheckItem.objects.create(check_run=o.check_v1, requirement=req, period_start=start,
                                           period_end=dt.date(2026, 9, 30), due_date=dt.date(2026, 10, 20),
                                           result="missing")

    # Trainings: one in October (cadre1 present, cadre2 absent), one in September.
    o.training = Training.objects.create(township=w.township, title="干部工作方法培训班", kind="work_method",
                                         date=dt.date(2026, 10, 16), hours=Decimal("2.5"))
    TrainingAttendance.objects.create(training=o.training, cadre=w.cadre1, present=True)
    TrainingAttendance.objects.create(training=o.training, cadre=w.cadre2, present=False)
    Training.objects.create(township=w.township, title="农业技术培训", kind="agri_tech", date=dt.date(2026, 9, 20))

    # An idea adopted from cadre1's diary; its title starts like a spreadsheet formula.
    AgendaItem.objects.create(township=w.township, diary=o.d2, title=FORMULA_IDEA, adopted_by=w.secretary,
                              adopted_at=at(dt.date(2026, 10, 19)))

    # Inspections: one published in October about cadre2 (reported under 农业服务中心); an
    # unannounced one not yet published (confidential: counted nowhere).
    o.inspection = Inspection.objects.create(
        township=w.township, date=dt.date(2026, 10, 15), kind="announced", title="十月作风督查",
        subject_type="cadre", subject_cadre=w.cadre2, published_at=at(dt.date(2026, 10, 20)))
    InspectionFinding.objects.create(inspection=o.inspection, category="formalism", description="台账材料重复填报",
                                     action="circulated", rectification_deadline=dt.date(2026, 11, 5))
    secret = Inspection.objects.create(township=w.township, date=dt.date(2026, 10, 22), kind="unannounced",
                                       title="暗访", subject_type="village", subject_village=w.v2)
    InspectionFinding.objects.create(inspection=secret, category="slackness", description="值班无人")

    # Model figures: one of October (picked by the compile), one of August (not).
    o.figure = ModelFigure.objects.create(township=w.township, cadre=w.cadre1, title="扎根一线解民忧",
                                          story="每天入户走访，两周内修好水渠。", period_start=START, period_end=END)
    ModelFigure.objects.create(township=w.township, villager_name="王师傅", title="八月典型", story="……",
                               period_start=dt.date(2026, 8, 1), period_end=dt.date(2026, 8, 31))

    # A village development plan: one milestone due in October and done on time, one overdue.
    o.plan = f.PlanFactory(village=w.v1, status="approved", title="日光温室发展规划")
    f.PlanMilestoneFactory(plan=o.plan, due=dt.date(2026, 10, 10), status="done", done_on=dt.date(2026, 10, 9))
    f.PlanMilestoneFactory(plan=o.plan, due=dt.date(2026, 10, 20))
    return o
