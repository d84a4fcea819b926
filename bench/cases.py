"""The in-process cases (issue 9, cases 5–8): a service against hand-written SQL for the same numbers,
timed side by side in one process, and the XLSX export's peak memory in a child process.

Each service call that writes (bulletin_compile, disclosure_check_run) runs inside a transaction
that is rolled back, so every repetition does the same work on the same data and the database
stays as generated.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# --- results ------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of bench/results.json."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    budget: str = ""
    passed: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self, scale: str) -> dict[str, Any]:
        return {
            "name": self.name, "value": _round(self.value), "unit": self.unit, "baseline": _round(self.baseline),
            "ratio": _round(self.ratio, 2), "budget": self.budget, "pass": self.passed, "scale": scale,
            "note": self.note, **{k: _round(v) if isinstance(v, float) else v for k, v in self.extra.items()},
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def unavailable(name: str, unit: str, budget: str, why: str = "not yet available") -> Entry:
    return Entry(name, None, unit, budget=budget, passed=None, note=why)


def side_by_side(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    """Run each function `repeats` times, alternating, after one untimed warm-up run each; ms per run."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()  # every run starts from the same collector state (see alternate)
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def rolled_back(fn: Callable[[], Any]) -> Callable[[], Any]:
    """fn inside a transaction that is always rolled back."""
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            result = fn()
            transaction.set_rollback(True)
        return result

    return run


@contextmanager
def database(url: str | None) -> Iterator[None]:
    """Point the default connection at another database for a while (None: stay where it is).

    Services use the default connection; the growth cases run the same service on the 1m and
    the 100k data sets alternately, reconnecting outside the timed part."""
    if url is None:
        yield
        return
    import environ
    from django.db import connection

    wanted = environ.Env.db_url_config(url)
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    saved = {k: connection.settings_dict.get(k) for k in keys}
    connection.close()
    connection.settings_dict.update({k: wanted.get(k, "") for k in keys})
    try:
        connection.ensure_connection()
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def alternate(fns: dict[str, tuple[str | None, Callable[[], Callable[[], Any]]]], repeats: int,
              self_timed: bool = False) -> dict[str, list[float]]:
    """Time `fns` (name → (database url, builder of the function)) alternately, `repeats` times
    each after one untimed run; the database switch is outside the timed part. With
    `self_timed`, the function returns its own time in ms (it excludes its set-up)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    built: dict[str, Callable[[], Any]] = {}
    for name, (url, builder) in fns.items():
        with database(url):
            built[name] = builder()
            built[name]()
    for _ in range(repeats):
        for name, (url, _builder) in fns.items():
            with database(url):
                # A full collection before each run, outside the timing: otherwise the collector's
                # pauses (~80 ms here) land on one run in two or three, whichever database it is on.
                gc.collect()
                started = time.perf_counter()
                result = built[name]()
                elapsed = (time.perf_counter() - started) * 1000
            times[name].append(float(result) if self_timed else elapsed)
    return times


# --- periods ------------------------------------------------------------------------------------------------


def data_end() -> date:
    from django.db.models import Max

    from supervision.models import Diary

    latest = Diary.objects.aggregate(m=Max("date"))["m"]
    if latest is None:
        raise RuntimeError("no diaries: generate the data set first")
    return latest


def report_period(end: date) -> tuple[date, date]:
    """A quarter's length (13 weeks) ending on the data's last day: full of diaries at every scale."""
    return end - timedelta(days=90), end


def last_full_month(end: date) -> tuple[date, date]:
    """The last calendar month that ends on or before `end`."""
    last = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def last_full_quarter(end: date) -> tuple[int, int]:
    """The last quarter that ends on or before `end`."""
    quarter = (end.month - 1) // 3 + 1
    if (end + timedelta(days=1)).day == 1 and end.month % 3 == 0:
        return end.year, quarter
    return (end.year, quarter - 1) if quarter > 1 else (end.year - 1, 4)


# --- case 5: diary completeness by village, county-wide ----------------------------------------------------

WORKDAYS_CTE = """
days AS (
    SELECT t.id AS township_id, g::date AS day
    FROM cadres_township t
    CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS g
    LEFT JOIN cadres_calendarday own ON own.township_id = t.id AND own.date = g::date
    LEFT JOIN cadres_calendarday nat ON nat.township_id IS NULL AND nat.date = g::date
    WHERE COALESCE(own.is_workday, nat.is_workday, extract(isodow FROM g) < 6)
),
duty AS (SELECT id, township_id FROM cadres_cadre WHERE is_active AND level = 'township')
"""

COMPLETENESS_SQL = (
    "WITH" + WORKDAYS_CTE + """,
absent AS (
    -- Only the leave that touches the period (the table holds every year's).
    SELECT cadre_id, start, "end" FROM cadres_excusedabsence WHERE start <= %(end)s AND "end" >= %(start)s
),
expected AS (
    SELECT c.id AS cadre_id, count(*) AS expected
    FROM duty c JOIN days ON days.township_id = c.township_id
    WHERE NOT EXISTS (SELECT 1 FROM absent a WHERE a.cadre_id = c.id AND days.day BETWEEN a.start AND a."end")
    GROUP BY c.id
),
period AS (
    SELECT d.id, d.author_id, d.township_id, d.date, d.on_time
    FROM supervision_diary d JOIN duty c ON c.id = d.author_id
    WHERE d.date BETWEEN %(start)s AND %(end)s AND d.deleted_at IS NULL
),
written AS (
    SELECT p.author_id AS cadre_id, count(*) AS written, count(*) FILTER (WHERE p.on_time) AS on_time
    FROM period p
    JOIN duty c ON c.id = p.author_id AND c.township_id = p.township_id
    JOIN days ON days.township_id = p.township_id AND days.day = p.date
    WHERE NOT EXISTS (SELECT 1 FROM absent a WHERE a.cadre_id = p.author_id AND p.date BETWEEN a.start AND a."end")
    GROUP BY p.author_id
),
assigned AS (
    SELECT DISTINCT va.village_id, va.cadre_id
    FROM cadres_villageassignment va JOIN duty ON duty.id = va.cadre_id
    WHERE va.start <= %(end)s AND (va."end" IS NULL OR va."end" >= %(start)s)
),
by_village AS (
    SELECT a.village_id, count(*) AS cadres, sum(COALESCE(e.expected, 0)) AS expected,
           sum(COALESCE(w.written, 0)) AS written, sum(COALESCE(w.on_time, 0)) AS on_time
    FROM assigned a LEFT JOIN expected e ON e.cadre_id = a.cadre_id LEFT JOIN written w ON w.cadre_id = a.cadre_id
    GROUP BY a.village_id
),
visits AS (
    -- A period's diaries have neighbouring ids: the links are read by that id range.
    SELECT DISTINCT p.author_id, dh.household_id
    FROM period p JOIN supervision_diary_households dh ON dh.diary_id = p.id
    WHERE dh.diary_id BETWEEN (SELECT min(id) FROM period) AND (SELECT max(id) FROM period)
),
coverage AS (
    SELECT h.village_id, count(*) AS households, count(v.author_id) AS visited
    FROM cadres_householdcontact hc
    JOIN duty ON duty.id = hc.cadre_id
    JOIN cadres_household h ON h.id = hc.household_id AND h.is_active
    LEFT JOIN visits v ON v.author_id = hc.cadre_id AND v.household_id = hc.household_id
    WHERE hc.start <= %(end)s AND (hc."end" IS NULL OR hc."end" >= %(start)s)
    GROUP BY h.village_id
),
diaries AS (
    SELECT village_id, count(*) AS n FROM supervision_diary
    WHERE date BETWEEN %(start)s AND %(end)s AND deleted_at IS NULL GROUP BY village_id
)
SELECT v.id, COALESCE(bv.cadres, 0), COALESCE(bv.expected, 0), COALESCE(bv.written, 0), COALESCE(bv.on_time, 0),
       COALESCE(cv.households, 0), COALESCE(cv.visited, 0), COALESCE(dv.n, 0)
FROM cadres_village v
LEFT JOIN by_village bv ON bv.village_id = v.id
LEFT JOIN coverage cv ON cv.village_id = v.id
LEFT JOIN diaries dv ON dv.village_id = v.id
WHERE v.is_active
ORDER BY v.township_id, v.code
""")
COMPLETENESS_KEYS = ["village_id", "cadres", "expected", "written", "on_time", "households", "households_visited",
                     "diaries"]


def sql_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def explain(sql: str, params: dict[str, Any]) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def case_completeness(repeats: int) -> tuple[Entry, dict[str, Any]]:
    try:
        from supervision.services.completeness import completeness
    except ImportError:
        return unavailable("completeness report by village, county-wide (quarter) vs SQL", "ms", "≤ 1.5× SQL"), {}
    start, end = report_period(data_end())
    params = {"start": start, "end": end}

    def service() -> list[dict[str, Any]]:
        return completeness(start=start, end=end, by="village", township_ids=None)

    times = side_by_side({"service": service, "sql": lambda: sql_rows(COMPLETENESS_SQL, params)}, repeats)
    ours = [tuple(row[k] for k in COMPLETENESS_KEYS) for row in service()]
    theirs = [tuple(int(v) for v in row) for row in sql_rows(COMPLETENESS_SQL, params)]
    same = ours == theirs
    value, base = statistics.median(times["service"]), statistics.median(times["sql"])
    entry = Entry(
        "completeness report by village, county-wide (quarter) vs SQL", value, "ms", base, value / base,
        "≤ 1.5× SQL", value / base <= 1.5,
        note=f"{start}…{end}, {len(ours)} villages; same numbers as SQL: {'yes' if same else 'NO'}",
        extra={"samples": repeats, "service_min": min(times["service"]), "sql_min": min(times["sql"])},
    )
    if not same:
        entry.passed = False
        diff = next((a, b) for a, b in zip(ours, theirs, strict=False) if a != b) if len(ours) == len(theirs) else None
        entry.note += f" (first difference service/sql: {diff})"
    return entry, {"sql": COMPLETENESS_SQL, "params": params}


# --- case 6: bulletin_compile for a month, county-wide ------------------------------------------------------

BULLETIN_SQL = [
    # 工作动态 · diary completeness
    "WITH" + WORKDAYS_CTE + """,
absent AS (
    SELECT cadre_id, start, "end" FROM cadres_excusedabsence WHERE start <= %(end)s AND "end" >= %(start)s
),
expected AS (
    SELECT c.township_id, count(*) AS expected FROM duty c JOIN days ON days.township_id = c.township_id
    WHERE NOT EXISTS (SELECT 1 FROM absent a WHERE a.cadre_id = c.id AND days.day BETWEEN a.start AND a."end")
    GROUP BY c.township_id
),
counted AS (
    SELECT d.township_id, count(*) AS written, count(*) FILTER (WHERE d.on_time) AS on_time
    FROM supervision_diary d JOIN duty c ON c.id = d.author_id
    JOIN days ON days.township_id = d.township_id AND days.day = d.date
    WHERE d.date BETWEEN %(start)s AND %(end)s AND d.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM absent a WHERE a.cadre_id = d.author_id AND d.date BETWEEN a.start AND a."end")
    GROUP BY d.township_id
),
totals AS (
    SELECT township_id, count(*) AS total, count(*) FILTER (WHERE problems <> '') AS with_problems,
           count(*) FILTER (WHERE ideas <> '') AS with_ideas
    FROM supervision_diary WHERE date BETWEEN %(start)s AND %(end)s AND deleted_at IS NULL GROUP BY township_id
)
SELECT t.id, e.expected, c.written, c.on_time, x.total, x.with_problems, x.with_ideas
FROM cadres_township t LEFT JOIN expected e ON e.township_id = t.id LEFT JOIN counted c ON c.township_id = t.id
LEFT JOIN totals x ON x.township_id = t.id ORDER BY t.id""",
    """SELECT township_id, category, count(*) FROM supervision_diary
WHERE date BETWEEN %(start)s AND %(end)s AND deleted_at IS NULL GROUP BY township_id, category""",
    # household coverage: the period's visits first (a per-link EXISTS would read each household's
    # whole history and grow with it), then the links
    """WITH period AS (
    SELECT id, author_id FROM supervision_diary WHERE date BETWEEN %(start)s AND %(end)s AND deleted_at IS NULL),
visits AS (
    SELECT DISTINCT p.author_id, dh.household_id FROM period p
    JOIN supervision_diary_households dh ON dh.diary_id = p.id
    WHERE dh.diary_id BETWEEN (SELECT min(id) FROM period) AND (SELECT max(id) FROM period))
SELECT c.township_id, count(*) AS contacts, count(v.author_id) AS visited,
       count(*) FILTER (WHERE hc.kind = 'poor_party_member') AS poor,
       count(v.author_id) FILTER (WHERE hc.kind = 'poor_party_member') AS poor_visited
FROM cadres_householdcontact hc
JOIN cadres_cadre c ON c.id = hc.cadre_id
JOIN cadres_household h ON h.id = hc.household_id AND h.is_active
LEFT JOIN visits v ON v.author_id = hc.cadre_id AND v.household_id = hc.household_id
WHERE hc.start <= %(end)s AND (hc."end" IS NULL OR hc."end" >= %(start)s)
GROUP BY c.township_id ORDER BY c.township_id""",
    # matters raised, resolved, closed, overdue at the period's end
    """SELECT township_id, count(*), count(*) FILTER (WHERE source = 'diary') FROM supervision_matter
WHERE created_at >= %(start_at)s AND created_at < %(end_before)s GROUP BY township_id ORDER BY township_id""",
    """SELECT township_id, source, category, count(*) FROM supervision_matter
WHERE created_at >= %(start_at)s AND created_at < %(end_before)s GROUP BY township_id, source, category""",
    """SELECT township_id, count(*), count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basically_satisfied'))
FROM supervision_matter WHERE resolved_at >= %(start_at)s AND resolved_at < %(end_before)s GROUP BY township_id""",
    """SELECT township_id, count(*) FROM supervision_matter
WHERE closed_at >= %(start_at)s AND closed_at < %(end_before)s GROUP BY township_id""",
    """SELECT m.township_id, m.unit_id, m.village_id, count(*) FROM supervision_matter m
WHERE (m.status IN ('registered', 'assigned', 'in_progress') OR m.resolved_at >= %(end_before)s)
  AND m.deadline < %(end)s AND m.created_at < %(end_before)s
GROUP BY m.township_id, m.unit_id, m.village_id""",
    # adopted ideas, pledges, trainings, inspections, the latest disclosure check
    """SELECT township_id, count(*), count(*) FILTER (WHERE status = 'decided') FROM supervision_agendaitem
WHERE adopted_at >= %(start_at)s AND adopted_at < %(end_before)s GROUP BY township_id""",
    """SELECT township_id, status, count(*) FROM supervision_pledge WHERE year = %(year)s GROUP BY township_id, status""",
    """SELECT township_id, count(*), sum(hours) FROM cadres_training
WHERE date BETWEEN %(start)s AND %(end)s GROUP BY township_id""",
    """SELECT t.township_id, count(*), count(*) FILTER (WHERE a.present)
FROM cadres_trainingattendance a JOIN cadres_training t ON t.id = a.training_id
WHERE t.date BETWEEN %(start)s AND %(end)s GROUP BY t.township_id""",
    """SELECT township_id, kind, count(*) FROM cadres_training WHERE date BETWEEN %(start)s AND %(end)s
GROUP BY township_id, kind""",
    """SELECT township_id, count(*) FROM supervision_inspection
WHERE date BETWEEN %(start)s AND %(end)s AND (kind = 'announced' OR published_at IS NOT NULL) GROUP BY township_id""",
    """SELECT i.township_id, f.category, count(*) FROM supervision_inspectionfinding f
JOIN supervision_inspection i ON i.id = f.inspection_id
WHERE i.published_at >= %(start_at)s AND i.published_at < %(end_before)s GROUP BY i.township_id, f.category""",
    """WITH latest AS (
    SELECT DISTINCT ON (township_id) township_id, year, quarter FROM supervision_disclosurecheck
    WHERE (year = %(year)s AND quarter <= %(quarter)s) OR year IN (%(year)s - 1, %(year)s - 2)
    ORDER BY township_id, year DESC, quarter DESC)
SELECT c.township_id, count(*), sum(on_time_count), sum(late_count), sum(missing_count), avg(score),
       count(*) FILTER (WHERE missing_count > 0 OR late_count > 0), count(*) FILTER (WHERE status = 'reviewed')
FROM supervision_disclosurecheck c JOIN latest l USING (township_id, year, quarter) GROUP BY c.township_id""",
]


def bulletin_params(start: date, end: date) -> dict[str, Any]:
    from datetime import datetime
    from datetime import time as dtime

    from django.utils import timezone

    tz = timezone.get_default_timezone()
    return {
        "start": start, "end": end, "year": end.year, "quarter": (end.month - 1) // 3 + 1,
        "start_at": datetime.combine(start, dtime.min, tzinfo=tz),
        "end_before": datetime.combine(end + timedelta(days=1), dtime.min, tzinfo=tz),
    }


def case_bulletin(repeats: int) -> tuple[list[Entry], dict[str, Any]]:
    name = "bulletin_compile for a month, county-wide vs SQL"
    try:
        from bulletins.services import bulletin_compile_county
    except ImportError:
        return [unavailable(name, "ms", "≤ 2× SQL and < 3 s")], {}
    from cadres.models import Township
    from cadres.roles import SYSTEM

    start, end = last_full_month(data_end())
    townships = list(Township.objects.order_by("pk"))
    params = bulletin_params(start, end)

    def service() -> None:
        # As the monthly job does: every township's figures counted in one pass, the drafts
        # written together, in one transaction (rolled back after each run).
        compiled = bulletin_compile_county(start=start, end=end, actor=SYSTEM)
        assert len(compiled.bulletins) == len(townships), compiled.refused

    def sql() -> list[list[tuple[Any, ...]]]:
        return [sql_rows(statement, params) for statement in BULLETIN_SQL]

    times = side_by_side({"service": rolled_back(service), "sql": sql}, repeats)
    value, base = statistics.median(times["service"]), statistics.median(times["sql"])
    check = _bulletin_agrees(townships[0], start, end, params)
    ratio = value / base
    return [Entry(name, value, "ms", base, ratio, "≤ 2× SQL and < 3 s", ratio <= 2 and value < 3000 and check == "",
                  note=f"{start}…{end}, {len(townships)} townships; figures agree with SQL: "
                       f"{'yes' if not check else 'NO: ' + check}",
                  extra={"samples": repeats, "service_min": min(times["service"]), "sql_min": min(times["sql"])})], \
        {"params": params}


def _bulletin_agrees(township: Any, start: date, end: date, params: dict[str, Any]) -> str:
    """The service's main figures for one township against the SQL's; '' when they agree."""
    from django.db import transaction

    from bulletins.services import bulletin_compile
    from cadres.roles import SYSTEM

    with transaction.atomic():
        figures = bulletin_compile(township=township, start=start, end=end, actor=SYSTEM).figures
        transaction.set_rollback(True)
    by_township = {row[0]: row for row in sql_rows(BULLETIN_SQL[0], params)}
    _tid, expected, written, on_time, total, with_problems, with_ideas = by_township[township.pk]
    coverage = {row[0]: row for row in sql_rows(BULLETIN_SQL[2], params)}.get(township.pk, (0, 0, 0, 0, 0))
    raised = {row[0]: row[1] for row in sql_rows(BULLETIN_SQL[3], params)}.get(township.pk, 0)
    overdue = sum(row[3] for row in sql_rows(BULLETIN_SQL[7], params) if row[0] == township.pk)
    pairs = {
        "diaries.expected": (figures["diaries"]["expected"], expected or 0),
        "diaries.written": (figures["diaries"]["written"], written or 0),
        "diaries.on_time": (figures["diaries"]["on_time"], on_time or 0),
        "diaries.total": (figures["diaries"]["total"], total or 0),
        "diaries.with_problems": (figures["diaries"]["with_problems"], with_problems or 0),
        "diaries.with_ideas": (figures["diaries"]["with_ideas"], with_ideas or 0),
        "households.contacts": (figures["households"]["contacts"], coverage[1]),
        "households.visited": (figures["households"]["visited"], coverage[2]),
        "matters.raised": (figures["matters"]["raised"], raised),
        "matters.overdue": (figures["matters"]["overdue"], overdue),
    }
    return ", ".join(f"{key} {a} ≠ {b}" for key, (a, b) in pairs.items() if a != b)


# --- case 7: the quarterly disclosure check, 20 and 400 villages --------------------------------------------


def _fresh_check(year: int, quarter: int, township: Any) -> Callable[[], float]:
    """The job's first run of a quarter, in ms: checks already compiled for it are removed in the
    same (rolled back) transaction before the clock starts."""
    from django.db import transaction

    from cadres.roles import SYSTEM  # (Django is set up by then: bench modules import apps lazily)
    from supervision.models import DisclosureCheck
    from supervision.services.disclosures import disclosure_check_run

    def run() -> float:
        with transaction.atomic():
            checks = DisclosureCheck.objects.filter(year=year, quarter=quarter)
            if township is not None:
                checks = checks.filter(township=township)
            checks.delete()
            started = time.perf_counter()
            disclosure_check_run(year=year, quarter=quarter, township=township, actor=SYSTEM)
            elapsed = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return elapsed

    return run


def case_disclosure_check(repeats: int) -> list[Entry]:
    budget_all, budget_flat = "< 5 s", "per village ≤ 1.3× the 20-village run"
    try:
        from supervision.services.disclosures import disclosure_check_run  # noqa: F401  (is it there yet?)
    except ImportError:
        return [unavailable("disclosure check, every village of the county", "s", budget_all),
                unavailable("disclosure check, time per village 400 vs 20 villages", "ms", budget_flat)]
    from cadres.models import Township, Village

    year, quarter = last_full_quarter(data_end())
    first = Township.objects.order_by("pk").first()
    n_first = Village.objects.filter(township=first, is_active=True).count()
    n_all = Village.objects.filter(is_active=True).count()

    one, every = _fresh_check(year, quarter, first), _fresh_check(year, quarter, None)
    one(), every()
    t20, t400 = [], []
    for _ in range(repeats):
        t20.append(one())
        t400.append(every())
    m20, m400 = statistics.median(t20), statistics.median(t400)
    per20, per400 = m20 / n_first, m400 / n_all
    return [
        Entry("disclosure check, every village of the county", m400 / 1000, "s", None, None, budget_all, m400 < 5000,
              note=f"{year}Q{quarter}, {n_all} villages, first run of the quarter", extra={"samples": repeats}),
        Entry("disclosure check, time per village 400 vs 20 villages", per400, "ms", per20, per400 / per20, budget_flat,
              per400 / per20 <= 1.3, note=f"{n_all} villages: {m400:.0f} ms; {n_first} villages: {m20:.0f} ms",
              extra={"samples": repeats}),
    ]


# --- 一类事: grouping the period's problems (issue 22) --------------------------------------------------------


def _grouping(start: date, end: date, township_id: int | None) -> Callable[[], Any]:
    from supervision.services.problem_groups import problem_groups_refresh

    return rolled_back(lambda: problem_groups_refresh(start=start, end=end, township_id=township_id))


def _texts(start: date, end: date, township_id: int | None) -> int:
    from supervision.models import Diary

    qs = Diary.objects.filter(date__range=(start, end), deleted_at__isnull=True).exclude(problems="")
    return (qs.filter(township_id=township_id) if township_id else qs).count()


def case_problem_groups(repeats: int) -> list[Entry]:
    """A township's month (< 2 s), the county's quarter (< 60 s, about 175,000 diaries at 1m), and
    the time per diary from a month to a quarter (flat: ≤ 1.3×). Each run is rolled back."""
    from cadres.models import Township

    end = data_end()
    m_start, m_end = last_full_month(end)
    q_start, q_end = report_period(end)
    first = Township.objects.order_by("pk").values_list("pk", flat=True).first()
    month, quarter = _grouping(m_start, m_end, first), _grouping(q_start, q_end, None)
    county_month = _grouping(m_start, m_end, None)
    times = side_by_side({"month": month, "quarter": quarter, "county_month": county_month}, repeats)
    t_month, t_quarter = statistics.median(times["month"]), statistics.median(times["quarter"])
    t_cmonth = statistics.median(times["county_month"])
    n_month, n_quarter = _texts(m_start, m_end, first), _texts(q_start, q_end, None)
    n_cmonth = _texts(m_start, m_end, None)
    per_month = t_cmonth / max(1, n_cmonth)
    per_quarter = t_quarter / max(1, n_quarter)
    return [
        Entry("grouping recurring problems, a township's month", t_month / 1000, "s", None, None, "< 2 s",
              t_month < 2000, note=f"{m_start}…{m_end}, {n_month} diaries with problems (and the month's matters)",
              extra={"samples": repeats}),
        Entry("grouping recurring problems, the county's quarter", t_quarter / 1000, "s", None, None, "< 60 s",
              t_quarter < 60_000, note=f"{q_start}…{q_end}, {n_quarter} diaries with problems",
              extra={"samples": repeats}),
        Entry("grouping recurring problems, time per diary quarter vs month", per_quarter, "ms", per_month,
              per_quarter / per_month if per_month else None, "≤ 1.3× the month",
              per_month > 0 and per_quarter / per_month <= 1.3,
              note=f"county month {n_cmonth} diaries in {t_cmonth:.0f} ms", extra={"samples": repeats}),
    ]


# --- case 8: XLSX export of 100,000 rows, peak memory -------------------------------------------------------

XLSX_ROWS = 100_000


def xlsx_child() -> None:
    """Run in a child process: build the export of XLSX_ROWS diaries and stream it to nowhere;
    prints JSON with the resident memory before the export and the process's peak."""
    import django

    django.setup()
    from core.reports import Column, xlsx_response
    from supervision.models import Diary

    columns = [Column("id", "编号"), Column("date", "日期"), Column("author__name", "作者"),
               Column("village__name", "村"), Column("category", "类别"), Column("situation", "民情"),
               Column("problems", "新问题"), Column("ideas", "新思路"), Column("created_at", "填写时间")]
    rows = (
        Diary.objects.filter(deleted_at__isnull=True).order_by("-id")
        .values(*[c.key for c in columns])[:XLSX_ROWS].iterator(chunk_size=2000)
    )
    before = _memory_kb("VmRSS")
    started = time.perf_counter()
    response = xlsx_response("bench-export", [("民情日记", columns, rows)])
    size = 0
    chunks: Any = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    peak = _memory_kb("VmHWM")
    print(json.dumps({"peak_kb": peak, "before_kb": before, "bytes": size, "seconds": seconds,
                      "streaming": bool(response.streaming)}))


def _memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process in kB. Not ru_maxrss: on Linux that keeps the
    parent's high-water mark across fork and exec, so a child started by a big runner would
    report the runner's size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def case_xlsx() -> Entry:
    name = f"XLSX export of {XLSX_ROWS:,} rows, peak memory"
    try:
        from core.reports import xlsx_response  # noqa: F401
    except ImportError:
        return unavailable(name, "MB", "< 200 MB")
    proc = subprocess.run([sys.executable, "-c", "from bench.cases import xlsx_child; xlsx_child()"],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=900, check=False)
    if proc.returncode != 0:
        return Entry(name, None, "MB", budget="< 200 MB", passed=False, note=f"export failed: {proc.stderr[-500:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    peak = data["peak_kb"] / 1024
    return Entry(name, peak, "MB", data["before_kb"] / 1024, None, "< 200 MB", peak < 200,
                 note=f"peak RSS (VmHWM) of the exporting process; baseline: its RSS before the export; "
                      f"{data['bytes'] / 1e6:.1f} MB file "
                      f"in {data['seconds']:.1f} s; streamed response: {'yes' if data['streaming'] else 'no'}")


# --- case 3 for the jobs: the same service on the 100k data set, in the same run -------------------------


def _completeness_run() -> Callable[[], Any]:
    from supervision.services.completeness import completeness

    start, end = report_period(data_end())
    return lambda: completeness(start=start, end=end, by="village", township_ids=None)


def _bulletin_run() -> Callable[[], Any]:
    from bulletins.services import bulletin_compile_county
    from cadres.roles import SYSTEM

    start, end = last_full_month(data_end())

    def run() -> None:
        bulletin_compile_county(start=start, end=end, actor=SYSTEM)

    return rolled_back(run)


def _check_run() -> Callable[[], float]:
    year, quarter = last_full_quarter(data_end())
    return _fresh_check(year, quarter, None)


GROWTH_SERVICES: list[tuple[str, str, Callable[[], Callable[[], Any]], bool]] = [
    ("service.completeness", "completeness report by village, county-wide (quarter)", _completeness_run, False),
    ("service.bulletin", "bulletin_compile for a month, county-wide", _bulletin_run, False),
    ("service.disclosure_check", "disclosure check, every village of the county", _check_run, True),
]


def case_growth_services(small_url: str, scale: str, repeats: int) -> list[Entry]:
    """Each job at this scale and at 100k, alternating between the two databases."""
    entries = []
    for key, name, builder, self_timed in GROWTH_SERVICES:
        title = f"growth {scale} vs 100k: {name}"
        try:
            times = alternate({"big": (None, builder), "small": (small_url, builder)}, repeats, self_timed)
        except ImportError:
            entries.append(unavailable(title, "ms", "≤ 1.3×"))
            continue
        big, small = statistics.median(times["big"]), statistics.median(times["small"])
        entries.append(Entry(title, big, "ms", small, big / small, "≤ 1.3×", big / small <= 1.3,
                             note="side by side in this run: the same service on both databases, alternating",
                             extra={"key": f"growth.{key}", "samples": repeats}))
    return entries
