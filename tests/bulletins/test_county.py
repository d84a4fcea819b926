"""The county pass (bulletins.county) gives every township exactly the figures it gets alone."""

from __future__ import annotations

import datetime as dt

from bulletins.county import CountyFigures
from bulletins.figures import Period, compile_figures
from cadres.models import CalendarDay, ExcusedAbsence, HouseholdContact
from supervision.models import ProblemGroup
from tests.helpers import queries_of

from .conftest import END, START, diary


def test_every_township_gets_the_same_figures_from_the_county_pass(october):
    w = october.world
    # given the other township has its own calendar day off, a cadre on leave and a contact visited
    CalendarDay.objects.create(township=w.other_township, date=dt.date(2026, 10, 12), is_workday=False, name="镇休")
    ExcusedAbsence.objects.create(cadre=w.outsider, start=dt.date(2026, 10, 19), end=dt.date(2026, 10, 20))
    HouseholdContact.objects.create(cadre=w.outsider, household=w.h_other, start=dt.date(2026, 1, 1))
    diary(w.outsider, dt.date(2026, 10, 13), w.v_other, households=[w.h_other], problems="道路破损")
    # and a group of recurring problems (一类事) of the month
    group = ProblemGroup.objects.create(township=w.township, period_start=START, period_end=END, label="道路、破损",
                                        keywords=["道路", "破损"], village_count=2, diary_count=2, first_seen=START,
                                        last_seen=END)
    group.villages.add(w.v1, w.v2)
    county = CountyFigures(Period(START, END))
    for township in (w.township, w.other_township):
        alone = compile_figures(township, START, END)
        together = compile_figures(township, START, END, county)
        # then every key, lists and their order included, is the same
        assert together == alone, township.name
    assert compile_figures(w.other_township, START, END, county)[0]["households"]["visited"] == 1
    # and the comparison covered every part with something in it
    figures, problems = compile_figures(w.township, START, END, county)
    assert figures["disclosure"] is not None and figures["inspections"]["findings"] > 0
    assert figures["ideas"]["adopted"] > 0 and figures["ideas"]["items"]
    assert figures["trainings"]["held"] > 0 and figures["pledges"]["total"] > 0 and figures["matters"]["overdue"] > 0
    assert all(group["rows"] for group in problems), problems


def test_the_county_pass_counts_once_for_all_townships(october):
    w = october.world
    townships = [w.township, w.other_township]
    _figures, alone = queries_of(lambda: [compile_figures(township, START, END) for township in townships])
    county = CountyFigures(Period(START, END))
    _figures, together = queries_of(lambda: [compile_figures(township, START, END, county) for township in townships])
    assert len(together) < len(alone)
