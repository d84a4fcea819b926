"""The benchmark's own logic: who the cases rotate over, and how a case is judged."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from bench.generate import Scale, generate
from bench.http_cases import _months_back, export_period, http_entry
from bench.load import LoadResult
from bench.web import pools

TINY = Scale("tiny", 300, townships=2, villages=3, groups=2, units=2, staff=4, village_cadres=1, households=12)
END = dt.date(2026, 6, 30)


def result(wall: list[float], cpu: list[float], errors: int = 0) -> LoadResult:
    return LoadResult(latencies_ms=wall, cpu_ms=cpu, db_ms=[0.0] * len(cpu), queries=[3] * len(cpu),
                      replica_queries=[0] * len(cpu), errors=errors, first_error="GET / → 500" if errors else "",
                      seconds=1.0)


def test_a_case_passes_only_when_both_the_p95_and_the_cpu_ratio_hold():
    bare = result([10.0] * 20, [2.0] * 20)

    assert http_entry("x", "x", result([25.0] * 20, [5.0] * 20), bare, "≤ 3×", 3, cpu_limit=3).passed is True
    slow_cpu = http_entry("x", "x", result([25.0] * 20, [7.0] * 20), bare, "≤ 3×", 3, cpu_limit=3)
    assert slow_cpu.passed is False and slow_cpu.extra["cpu_ratio"] == 3.5
    assert http_entry("x", "x", result([35.0] * 20, [5.0] * 20), bare, "≤ 3×", 3, cpu_limit=3).passed is False
    failing = http_entry("x", "x", result([25.0] * 20, [5.0] * 20, errors=1), bare, "≤ 3×", 3, cpu_limit=3)
    assert failing.passed is False and "500" in failing.note
    absolute = http_entry("x", "x", result([2500.0] * 20, [5.0] * 20), bare, "p95 ≤ 2 s", None, absolute=2000)
    assert absolute.passed is False


def test_a_period_of_months_starts_the_day_after_the_same_day_months_before():
    assert _months_back(dt.date(2026, 12, 4), 27) == dt.date(2024, 9, 5)
    # February has no 31st: the day is capped at the 28th, then the period starts a day later.
    assert _months_back(dt.date(2026, 3, 31), 1) == dt.date(2026, 3, 1)


@pytest.mark.django_db
def test_each_role_rotates_over_many_users_of_that_role():
    from cadres.models import Cadre

    generate(scale=TINY, seed=2, end=END, out=lambda _line: None)
    found = pools()

    posts = dict(Cadre.objects.filter(user__username__in=found.leaders + found.cadres)
                 .values_list("user__username", "post"))
    assert len(found.leaders) == TINY.townships and {posts[u] for u in found.leaders} == {"party_secretary"}
    assert found.leaders[0] == "bench_secretary"
    assert found.cadres[0] == "bench_cadre" and len(found.cadres) == 2 * TINY.townships
    assert {posts[u] for u in found.cadres} == {"staff"}
    assert "bench_office" not in found.cadres
    assert found.county[0] == "bench_county" and len(found.county) == 5


@pytest.mark.django_db
def test_the_export_period_holds_at_least_the_rows_asked_for():
    from supervision.models import Diary

    generate(scale=TINY, seed=2, end=END, out=lambda _line: None)
    start, end, total = export_period(rows=100)

    assert end == END or end < END
    assert total >= 100
    assert Diary.objects.filter(deleted_at__isnull=True, date__range=(start, end)).count() == total


def test_the_spread_of_runs_holds_a_budget_only_when_every_run_passes(tmp_path):
    from bench.spread import spread

    def run(i: int, value: float, passed: bool) -> dict[str, object]:
        return {"machine": {"commit": f"c{i}", "date": f"day {i}"}, "results": [
            {"name": "list", "value": value, "unit": "ms p95", "ratio": value / 10, "cpu_ratio": 2.0 + i / 10,
             "budget": "≤ 3× bare", "pass": passed},
            {"name": "report", "value": 1.0, "unit": "s", "ratio": None, "budget": "(reported only)", "pass": None},
        ]}

    paths = []
    for i, (value, passed) in enumerate([(25.0, True), (28.0, True), (31.0, False)]):
        path = tmp_path / f"run{i}.json"
        path.write_text(json.dumps(run(i, value, passed)), encoding="utf-8")
        paths.append(path)

    lines = spread(paths)
    row = next(line for line in lines if line.startswith("| list "))
    assert "25.0 ms p95 (2.50×)" in row and "31.0 ms p95 (3.10×)" in row
    assert "2.00–2.20×" in row and "❌ 2 of 3" in row
    assert "n/a" in next(line for line in lines if line.startswith("| report "))
    assert "✅ 2 of 2" in "\n".join(spread(paths[:2]))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE is PostgreSQL's")
def test_a_missed_budget_s_explain_shows_statements_prepared_on_the_server(tmp_path, monkeypatch, world):
    # given a page whose slowest statement is prepared once per connection (core.sql.planned_once),
    # run more than once so that its later runs send no text at all
    from bench import run as bench_run
    from core.sql import read_rows

    monkeypatch.setattr(bench_run, "EXPLAIN", tmp_path)
    for _ in range(3):
        read_rows("SELECT name FROM cadres_township WHERE id = %s", [world.township.pk])
    # when its plan is written
    path = bench_run.explain_queries(
        "x", lambda: read_rows("SELECT name FROM cadres_township WHERE id = %s", [world.township.pk]), "why")
    # then the statement is shown with its value and explained
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert f"SELECT name FROM cadres_township WHERE id = {world.township.pk}" in text
    assert "Execution Time" in text and "could not explain" not in text
