"""The figures a bulletin reports for October 2026 in 东河镇 (see conftest.py for the records)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from bulletins.figures import compile_figures
from supervision.models import Diary
from tests.helpers import assert_num_queries

from .conftest import END, START, diary


def test_diary_completeness_counts_workdays_less_excused_days_for_township_cadres(october):
    figures, _problems = compile_figures(october.world.township, START, END)

    assert figures["diaries"] == {
        "workdays": 18, "cadres": 9, "excused_days": 5, "expected": 18 * 9 - 5,
        # cadre1 on the 8th, 9th and 10th, cadre2 on the 12th; not Sunday the 11th, not cadre3's
        # leave, not the village cadre, not the deleted diary, not September, not the other township.
        "written": 4, "on_time": 3, "rate": 2.5, "on_time_rate": 75.0,
        "total": 7, "with_problems": 1, "with_ideas": 1,
        "by_category": [
            {"category": "industry", "count": 2}, {"category": "livelihood", "count": 2},
            {"category": "disputes", "count": 1}, {"category": "infrastructure", "count": 1},
            {"category": "other", "count": 1},
        ],
    }


def test_household_coverage_counts_visits_by_the_contact_cadre_only(october):
    figures, _problems = compile_figures(october.world.township, START, END)

    # h3 is cadre3's contact household; cadre1 visited it, cadre3 did not.
    assert figures["households"] == {"contacts": 3, "visited": 2, "poor_contacts": 1, "poor_visited": 1,
                                     "rate": 66.7, "poor_rate": 100.0}


def test_matters_raised_resolved_closed_and_overdue_at_the_end_of_the_period(october):
    figures, problems = compile_figures(october.world.township, START, END)

    assert figures["matters"] == {
        "raised": 2, "from_diaries": 1, "resolved": 1, "satisfied": 0, "closed": 1, "overdue": 2,
        "by_source": [{"source": "diary", "count": 1}, {"source": "hotline", "count": 1}],
        "by_category": [{"category": "infrastructure", "count": 1}, {"category": "livelihood", "count": 1}],
    }
    overdue = next(p for p in problems if p["kind"] == "overdue_matters")
    assert overdue["rows"] == [{"unit": "农业服务中心", "village": "东河村", "count": 1},
                               {"unit": "财政所", "village": "南沟村", "count": 1}]


def test_pledges_disclosure_trainings_and_ideas(october):
    figures, problems = compile_figures(october.world.township, START, END)

    assert figures["pledges"]["total"] == 2
    assert figures["pledges"]["effective"] == 1
    assert {r["status"]: r["count"] for r in figures["pledges"]["by_status"]} == {
        "draft": 0, "issued": 1, "signed": 0, "countersigned": 1, "assessed": 0}
    assert figures["disclosure"] == {
        "year": 2026, "quarter": 3, "villages": 2, "township_checks": 0, "schools": 0, "reviewed": 0, "on_time": 13,
        "late": 1, "missing": 2, "rate": 81.2, "average_score": 92.0, "villages_with_gaps": 1,
        "by_domain": figures["disclosure"]["by_domain"],
    }
    assert next(p for p in problems if p["kind"] == "disclosure_gaps")["rows"] == [{
        "village": "东河村", "subject_kind": "village", "missing": 2, "late": 1, "score": 84.0,
        "missing_categories": ["财务收支明细", "村务工作计划"], "rectification_deadline": "2026-11-15",
    }]
    assert figures["trainings"] == {"held": 1, "hours": 2.5, "enrolled": 2, "present": 1, "attendance_rate": 50.0,
                                    "by_kind": [{"kind": "work_method", "count": 1}]}
    assert figures["ideas"]["adopted"] == 1
    assert figures["ideas"]["items"][0]["village"] == "东河村"


def test_published_findings_are_named_by_unit_and_confidential_ones_are_left_out(october):
    figures, problems = compile_figures(october.world.township, START, END)

    assert figures["inspections"] == {"held": 1, "findings": 1,
                                      "by_category": [{"category": "formalism", "count": 1}]}
    (finding,) = next(p for p in problems if p["kind"] == "inspection_findings")["rows"]
    assert finding["subject"] == "农业服务中心"
    assert "干部乙" not in str(problems)


def test_no_disclosure_check_before_the_period_gives_none(world):
    figures, problems = compile_figures(world.township, START, END)

    assert figures["disclosure"] is None
    assert next(p for p in problems if p["kind"] == "disclosure_gaps")["rows"] == []
    assert figures["diaries"]["rate"] == 0.0


def test_query_count_does_not_grow_with_the_data(october):
    with assert_num_queries(QUERIES):
        compile_figures(october.world.township, START, END)
    # A year of extra diaries outside the period changes nothing in the count.
    w = october.world
    day = dt.date(2025, 1, 1)
    Diary.objects.bulk_create([
        Diary(township=w.township, author=w.cadre2, date=day + dt.timedelta(days=i), village=w.v2, situation="x")
        for i in range(300)
    ])
    diary(w.cadre2, dt.date(2026, 10, 14), w.v2)
    with assert_num_queries(QUERIES):
        figures, _problems = compile_figures(w.township, START, END)
    assert figures["diaries"]["written"] == 5


# 28, one for the plans' milestones, one for the disclosure items by domain, one for the groups of problems, and on
# PostgreSQL one for the id range of the period's diaries (household coverage reads the visits by that range; on
# SQLite, `make run`'s database, the narrowing is not worth a query).
QUERIES = 32 if connection.vendor == "postgresql" else 31
