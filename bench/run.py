"""`make bench`: the county-scale benchmark, end to end (docs/performance.md).

    [BENCH_SCALE=1m|100k|3.5m]  python -m bench.run

1. Creates the database if missing (bench_<scale> on the local PostgreSQL, or DATABASE_URL),
   migrates it and generates the data set when it is empty; at any scale but 100k, it also builds
   the 100k data set (bench_100k) beside it, so that growth is judged in every run.
2. Starts gunicorn exactly as production runs it (bench/server.py) with bench.settings on a free
   loopback port — and a second one over the 100k data set — and drives them from this process:
   every HTTP case side by side with the bare authenticated view, in alternating bursts, rotating
   over many users of its role (bench/http_cases.py, bench/web.py).
3. Stops the servers and times the jobs and reports in-process against hand-written SQL.
4. Writes bench/results.json, bench/RESULTS.md and bench/out/results-<scale>.json; where a budget
   is missed, EXPLAIN ANALYZE of the slowest queries goes to bench/explain/.

Other knobs (bench/config.py): BENCH_REQUESTS (per HTTP case, default 400), BENCH_REPEATS
(in-process runs, 5), BENCH_ONLY (comma list of http, db, xlsx; `data` builds the data sets only),
BENCH_SEED (1), BENCH_CLIENTS (4), BENCH_MANY_CLIENTS (32), BENCH_WORKERS (production's).
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.cases import Entry, unavailable
from bench.config import BENCH, EXPLAIN, HOST, ONLY, OUT, REPEATS, ROOT, SCALE, SEED, say

SENTENCE = re.compile(r"[^。，；]*[。，；]|[^。，；]+$")  # a text's clauses, each with its mark


# Cases whose p95 is compared between scales (budget 3: growth ≤ 1.3×).
GROWTH_KEYS = [*(f"{name}.{role}.first" for name in ("diaries", "matters", "households", "pledges", "disclosures",
                                                     "inspections", "notifications") for role in ("leader", "cadre")),
               "diaries.leader.deep", "diaries.cadre.deep", "search.leader", "search.cadre", "dashboard.warm",
               "dashboard.cold", "report.completeness.county", "service.completeness", "service.bulletin",
               "service.disclosure_check"]


# --- database --------------------------------------------------------------------------------------------


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        name = "bench_" + re.sub(r"\W", "_", SCALE)
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The benchmark needs PostgreSQL: DATABASE_URL=postgres://…")
    return url


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            say(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, env=os.environ.copy())


def prepare_data() -> None:
    from django.db import connection
    from django.utils import timezone

    from bench.generate import SCALES, generate
    from supervision.models import Diary

    if SCALE not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}")
    scale = SCALES[SCALE]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'supervision_diary'")
        estimate = cursor.fetchone()[0]
    if estimate <= 0 and not Diary.objects.exists():
        say(f"generating the {SCALE} data set (seed {SEED})")
        generate(scale=scale, seed=SEED, end=timezone.localdate() - timedelta(days=1), out=say)
        ensure_search_index()
        return
    count = Diary.objects.count()
    if abs(count - scale.diaries) > scale.diaries * 0.01:
        raise SystemExit(f"The database holds {count:,} diaries, not the {scale.diaries:,} of scale {SCALE}: "
                         "point DATABASE_URL at another database or drop this one.")
    say(f"data set present: {count:,} diaries (generation skipped)")
    ensure_search_index()


# A table holding more dead rows than this is vacuumed before a run measures (vacuum_dead_rows).
DEAD_ROWS = 1000


def vacuum_dead_rows(url: str) -> list[str]:
    """VACUUM (ANALYZE) every table of the database at `url` holding more than DEAD_ROWS dead rows,
    and return their names.

    A run leaves dead rows behind: the jobs it times run in transactions rolled back (a disclosure
    check of 400 villages: ~60,000 item rows a time), the POST case's diaries are deleted again.
    Production's autovacuum would clear them within a minute; a PostgreSQL run without it (CI's
    here: `autovacuum = off`) kept them, and the next run's index scans stepped over them: at 1m the
    disclosure checks held 391,140 dead rows for 800 live after six runs, and the cold dashboard's
    database time grew from 14 to 28 ms a page, its fresh workers' from 24 to 57 ms. So each run
    starts from the data as generated."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT relid::regclass::text FROM pg_stat_user_tables WHERE n_dead_tup > %s "
                            "ORDER BY 1", [DEAD_ROWS]).fetchall()
        for (table,) in rows:  # a name from the catalogue, quoted by regclass where it needs it
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return [table for (table,) in rows]


def ensure_search_index() -> None:
    """Index the data set for search once (a data set generated before search had none).

    The generator composes each text of sentences from pools (`bench.generate.Texts`), so each
    distinct sentence is segmented once and a row's document is its sentences' documents joined:
    the same terms as `document(*texts)` (segmentation never crosses a 。, and a tsvector is a
    set of terms), which a test checks; the database still builds every row's tsvector, as the
    services do."""
    from django.db import connection, transaction

    from bench.generate import DetachedIndexes
    from supervision.models import Diary, DiarySearch, Matter, MatterSearch
    from supervision.search import DIARY_COPIED, DIARY_FIELDS, DIARY_INDEX, MATTER_COPIED, MATTER_FIELDS, MATTER_INDEX

    for model, side, index, copied, fields in ((Diary, DiarySearch, DIARY_INDEX, DIARY_COPIED, DIARY_FIELDS),
                                               (Matter, MatterSearch, MATTER_INDEX, MATTER_COPIED, MATTER_FIELDS)):
        if side.objects.exists() or not model.objects.exists():
            continue
        started = time.monotonic()
        docs: dict[str, str] = {}
        batch: list[tuple[Any, ...]] = []
        done = 0
        # As `supervision.search.index_row`: (id, document, *the copied fields, e.g. a diary's date).
        rows = model.objects.order_by("pk").values_list("pk", "township_id", *copied, *fields).iterator(chunk_size=5000)
        # One transaction, the GIN index built once at the end (one sort instead of a million inserts).
        # Only the side table's own indexes: dropping its foreign key would lock the diaries too.
        tables = [side._meta.db_table, *([index.filter_table] if index.filter_table else [])]
        with transaction.atomic(), DetachedIndexes(tables, constraints=False):
            for pk, township_id, *rest in rows:
                values, texts = rest[:len(copied)], rest[len(copied):]
                day = values[copied.index("date")] if "date" in copied else None
                batch.append((pk, sentence_document(township_id, texts, docs, day), *values))
                if len(batch) == 5000:
                    done += index.store(batch)
                    batch = []
            done += index.store(batch)
        with connection.cursor() as cursor:  # the planner's estimate of a word's rows comes from here
            cursor.execute(f"ANALYZE {side._meta.db_table}")
            if index.filter_table:  # its walk reads the index alone on all-visible pages (VACUUM)
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # a test's transaction
                cursor.execute(f"{vacuum} {index.filter_table}")
        say(f"  search index of {done:,} {model._meta.model_name} rows built in {time.monotonic() - started:.0f} s")


def sentence_document(township_id: int, texts: list[str], cache: dict[str, str], day: date | None = None) -> str:
    """`supervision.search`'s document of a row (its texts' terms, its township's scope term and,
    for a diary (`day`), its month's term), segmenting each distinct sentence once (`cache`)."""
    from core.search import document
    from supervision.search import month_term, scope_term

    terms = []
    for text in texts:
        for sentence in SENTENCE.findall(text or ""):
            if sentence not in cache:
                cache[sentence] = document(sentence)
            terms.append(cache[sentence])
    scope = [scope_term(township_id), *([month_term(township_id, day)] if day is not None else [])]
    return " ".join([*(t for t in terms if t), *scope])


def collect_static() -> None:
    """collectstatic (the manifest storage needs it with DEBUG off), unless nothing changed since."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [p for d in [ROOT / "static", *ROOT.glob("*/static")] for p in d.rglob("*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources):
        return
    say("collecting static files")
    manage("collectstatic", "--noinput", "-v0")


# --- EXPLAIN for missed budgets -------------------------------------------------------------------------


def explain_queries(slug: str, run: Callable[[], Any], why: str) -> Path | None:
    """Run `run` once while recording its statements; EXPLAIN ANALYZE the three slowest SELECTs.

    Recorded as the code sent them, with their parameters (an execute wrapper): Django's query
    log has no text for a statement prepared on the server (core.sql.planned_once). Each is
    explained with its values, so its plan is the one made for them."""
    from django.db import connection

    recorded: list[tuple[float, str, Any]] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(record):
        run()
    queries = sorted(recorded, key=lambda q: q[0], reverse=True)
    # The log-in's own queries (token, session) are the baseline's too, and hold credentials.
    selects = [q for q in queries if q[1].lstrip().upper().startswith(("SELECT", "WITH"))
               and "portal_accesstoken" not in q[1] and "django_session" not in q[1]][:3]
    if not selects:
        return None
    EXPLAIN.mkdir(exist_ok=True)
    path = EXPLAIN / f"{slug}.txt"
    lines = [f"# {slug}: {why}", f"# {len(recorded)} queries; the slowest SELECTs:", ""]
    with connection.cursor() as cursor:
        for seconds, sql, params in selects:
            shown = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]  # PostgreSQL's
            lines += [f"-- {seconds * 1000:.1f} ms", shown, ""]
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                lines += [row[0] for row in cursor.fetchall()]
            except Exception as exc:
                lines.append(f"(could not explain: {exc})")
                connection.rollback() if not connection.get_autocommit() else None
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def explain_http(slug: str, path: str, headers: dict[str, str], why: str) -> Path | None:
    from django.test import Client

    extra: dict[str, Any] = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()
                             if k.lower() != "cookie"}
    client = Client(HTTP_HOST=HOST, **extra)
    if "Cookie" in headers:
        for part in headers["Cookie"].split("; "):
            key, _, value = part.partition("=")
            client.cookies[key] = value
    return explain_queries(slug, lambda: client.get(path), why)


# --- output ---------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"nproc": os.cpu_count(), "ram": mem, "postgresql": pg, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z"), "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "commit": commit, "cpu": _cpu_model()}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def small_database_url() -> str | None:
    """The 100k data set for the growth budget, measured side by side in this run: BENCH_GROWTH_DATABASE_URL,
    else bench_100k on the same server, if it exists and holds the 100k scale."""
    if SCALE == "100k":
        return None
    import psycopg

    url = os.environ.get("BENCH_GROWTH_DATABASE_URL") or urlsplit(database_url())._replace(path="/bench_100k").geturl()
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM supervision_diary").fetchone()
    except psycopg.Error:
        return None
    return url if row and abs(row[0] - 100_000) <= 1_000 else None


def build_small_data_set() -> None:
    """The 100k data set beside the large one, so that every run judges growth side by side: the
    same command in a child process (its own settings and connection), building data only."""
    url = urlsplit(database_url())._replace(path="/bench_100k").geturl()
    say("growth: building the 100k data set beside this one (bench_100k)")
    env = {**os.environ, "BENCH_SCALE": "100k", "BENCH_ONLY": "data", "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, check=True)


def growth_from_files(current: list[dict[str, Any]]) -> list[Entry]:
    """Budget 3 without a 100k database at hand: compare with the last 100k run's results (another
    run, so another moment's load on a shared machine: the raw ratio is judged, the one normalized
    by each run's baseline is shown)."""
    path = OUT / "results-100k.json"
    if not path.exists():
        return [unavailable("growth vs 100k (every list and report)", "×", "≤ 1.3×",
                            "no 100k database or results: run BENCH_SCALE=100k make bench first")]
    stored = json.loads(path.read_text())
    small = {e.get("key"): e for e in stored["results"] if e.get("key")}
    entries = []
    for row in current:
        key = row.get("key")
        if key not in GROWTH_KEYS or key not in small or row["value"] is None or small[key]["value"] is None:
            continue
        old = small[key]
        raw = row["value"] / old["value"]
        normalized = None
        if row.get("baseline") and old.get("baseline"):
            normalized = (row["value"] / row["baseline"]) / (old["value"] / old["baseline"])
        entries.append(Entry(
            f"growth {SCALE} vs 100k: {row['name']}", row["value"], row["unit"], old["value"], raw, "≤ 1.3×",
            raw <= 1.3,
            note=f"against the 100k run of {stored['machine']['date']}"
            + (f"; normalized by each run's baseline: {normalized:.2f}×" if normalized is not None else ""),
            extra={"key": f"growth.{key}", "ratio_normalized": round(normalized, 2) if normalized else None},
        ))
    return entries


def write_outputs(results: list[dict[str, Any]], info: dict[str, Any], started: float) -> None:
    OUT.mkdir(exist_ok=True)
    info = {**info, "scale": SCALE, "minutes": round((time.monotonic() - started) / 60, 1)}
    text = json.dumps({"machine": info, "results": results}, ensure_ascii=False, indent=1)
    (OUT / f"results-{SCALE}.json").write_text(text, encoding="utf-8")
    # Every run kept, for the spread across runs (python -m bench.spread).
    (OUT / "runs").mkdir(exist_ok=True)
    (OUT / "runs" / f"{SCALE}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text, encoding="utf-8")
    (BENCH / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    other = [s for s in ("100k", "1m", "3.5m") if s != SCALE and (OUT / f"results-{s}.json").exists()]
    lines = ["# Benchmark results", "", "Written by `make bench` (bench/run.py); how to run it and what each case "
             "measures: docs/performance.md.", ""]
    lines += table(results, info)
    for s in other:
        data = json.loads((OUT / f"results-{s}.json").read_text())
        lines += ["", f"## Previous run at scale {s}", "", *table(data["results"], data["machine"])]
    (BENCH / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def table(results: list[dict[str, Any]], info: dict[str, Any]) -> list[str]:
    def fmt(v: Any) -> str:
        return "—" if v is None else f"{v:,}" if isinstance(v, int) else f"{v:,.1f}" if isinstance(v, float) else str(v)

    passed = {True: "✅ pass", False: "❌ miss", None: "— n/a"}
    lines = [f"Scale **{info.get('scale')}**, {info['date']}: {info['nproc']} CPU ({info['cpu']}), {info['ram']} RAM, "
             f"PostgreSQL {info['postgresql']}, Python {info['python']}, commit {info.get('commit') or '?'}; "
             f"load average at the end {info['load_average']}; run took {info.get('minutes', '?')} min.", "",
             "| case | value | unit | baseline | ratio | budget | result | server CPU p50 (case / bare) | queries | note |",
             "| --- | ---: | --- | ---: | ---: | --- | --- | --- | ---: | --- |"]
    for r in results:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        cpu = "—"
        if r.get("server_cpu_p50") is not None:
            cpu = f"{fmt(r['server_cpu_p50'])} / {fmt(r.get('baseline_cpu_p50'))} ms"
        lines.append(f"| {r['name']} | {fmt(r['value'])} | {r['unit']} | {fmt(r['baseline'])} | {ratio} | "
                     f"{r['budget']} | {passed[r['pass']]} | {cpu} | {fmt(r.get('queries'))} | "
                     f"{r.get('note', '').replace('|', '/')} |")
    return lines


# --- main -----------------------------------------------------------------------------------------------------


# Long on purpose: the benchmark's command line, each phase in the order it runs.
def main() -> None:
    started = time.monotonic()
    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if not os.environ.get("REDIS_URL"):
        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=1):
                os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/9"
        except OSError:
            pass
    say(f"scale {SCALE}, database {urlsplit(url).path.lstrip('/')}, cache {os.environ.get('REDIS_URL') or 'local memory'}")
    ensure_database(url)
    manage("migrate", "--noinput", "-v0")
    import django

    django.setup()
    prepare_data()
    collect_static()
    results: list[Entry] = []
    explain_later: list[tuple[str, str, dict[str, str]]] = []
    for stale in EXPLAIN.glob("*.txt"):  # only this run's misses are explained
        stale.unlink()
    small_url = small_database_url()
    if SCALE != "100k" and small_url is None and not os.environ.get("BENCH_GROWTH_DATABASE_URL"):
        build_small_data_set()
        small_url = small_database_url()
    if "data" in ONLY and len(ONLY) == 1:
        say(f"data sets ready in {(time.monotonic() - started) / 60:.1f} min (BENCH_ONLY=data: nothing measured)")
        return
    for each in filter(None, (url, small_url)):
        vacuumed = vacuum_dead_rows(each)
        if vacuumed:
            say(f"  vacuumed {len(vacuumed)} tables with dead rows left by earlier runs in "
                f"{urlsplit(each).path.lstrip('/')}: {', '.join(vacuumed[:6])}{' …' if len(vacuumed) > 6 else ''}")
    if small_url:
        say("growth: the 100k data set is measured side by side in this run")
    if "http" in ONLY:
        from bench.http_cases import run_http

        entries, explain_later = run_http(small_url)
        results += entries
    sql_for: dict[str, dict[str, Any]] = {}
    if "db" in ONLY:
        from bench.cases import case_bulletin, case_completeness, case_disclosure_check

        say(f"in-process: completeness report vs SQL ({REPEATS} runs each)")
        entry, sql_for["service.completeness"] = case_completeness(REPEATS)
        entry.extra["key"] = "service.completeness"
        results.append(entry)
        say(f"in-process: bulletin_compile vs SQL ({REPEATS} runs each)")
        bulletin, sql_for["service.bulletin"] = case_bulletin(REPEATS)
        bulletin[0].extra["key"] = "service.bulletin"
        results += bulletin
        say(f"in-process: disclosure check, 20 and 400 villages ({REPEATS} runs each)")
        checks = case_disclosure_check(REPEATS)
        checks[0].extra["key"] = "service.disclosure_check"
        results += checks
        from bench.cases import case_problem_groups

        say(f"in-process: grouping recurring problems, a township's month and the county's quarter ({REPEATS} runs each)")
        groups = case_problem_groups(REPEATS)
        groups[0].extra["key"] = "service.problem_groups"
        results += groups
        if small_url:
            from bench.cases import case_growth_services

            say(f"in-process: the jobs on the 1m and the 100k data set, alternating ({REPEATS} runs each)")
            results += case_growth_services(small_url, SCALE, REPEATS)
    if "xlsx" in ONLY:
        from bench.cases import case_xlsx

        say("child process: XLSX export, peak memory")
        results.append(case_xlsx())
    rows = [e.as_json(SCALE) for e in results]
    if SCALE != "100k" and not small_url:
        rows += [e.as_json(SCALE) for e in growth_from_files(rows)]
    for row in rows:
        if row["pass"] is False:
            capture_explain(row, explain_later, sql_for)
    # The search plans are written on every run, passed or not: they show the GIN index at work.
    for slug, path, headers in explain_later:
        if slug.startswith("search.") and not (EXPLAIN / f"{slug}.txt").exists():
            say(f"  EXPLAIN for {slug} → {explain_http(slug, path, headers, 'search plan (written on every run)')}")
    info = machine()
    write_outputs(rows, info, started)
    say(f"done in {(time.monotonic() - started) / 60:.1f} min: bench/RESULTS.md")
    for row in rows:
        mark = {True: "pass", False: "MISS", None: "n/a "}[row["pass"]]
        say(f"  {mark}  {row['name']}: {row['value']} {row['unit']}"
            + (f" ({row['ratio']}× {row['baseline']})" if row["ratio"] is not None else ""))


def capture_explain(row: dict[str, Any], explain_later: list[tuple[str, str, dict[str, str]]],
                    sql_for: dict[str, dict[str, Any]]) -> None:
    key = str(row.get("key") or re.sub(r"\W+", "-", row["name"]).strip("-").lower())
    why = f"{row['name']}: {row['value']} {row['unit']}, budget {row['budget']}"
    base_key = key.removeprefix("growth.").replace(".deep_vs_first", ".deep")
    try:
        for slug, path, headers in explain_later:
            if slug == base_key:
                say(f"  EXPLAIN for {key} → {explain_http(key, path, headers, why)}")
                return
        if base_key == "service.completeness" and sql_for.get(base_key):
            from bench.cases import explain as explain_sql
            from supervision.services.completeness import completeness

            info = sql_for[base_key]
            p = info["params"]
            out = explain_queries(key, lambda: completeness(start=p["start"], end=p["end"], by="village",
                                                            township_ids=None), why)
            if out is not None:
                out.write_text(out.read_text() + "\n-- the hand-written SQL\n" + explain_sql(info["sql"], p))
            say(f"  EXPLAIN for {key} → {out}")
        elif base_key == "service.bulletin" and sql_for.get(base_key):
            from bench.cases import rolled_back
            from bulletins.services import bulletin_compile
            from cadres.models import Township
            from cadres.roles import SYSTEM

            start, end = sql_for[base_key]["params"]["start"], sql_for[base_key]["params"]["end"]
            township = Township.objects.order_by("pk")[0]
            compile_one = rolled_back(lambda: bulletin_compile(township=township, start=start, end=end, actor=SYSTEM))
            say(f"  EXPLAIN for {key} → {explain_queries(key, compile_one, why)}")
        elif base_key.startswith("disclosure") or base_key == "service.disclosure_check":
            from bench.cases import data_end, last_full_quarter, rolled_back
            from cadres.roles import SYSTEM
            from supervision.services.disclosures import disclosure_check_run

            year, quarter = last_full_quarter(data_end())
            check_all = rolled_back(lambda: disclosure_check_run(year=year, quarter=quarter, actor=SYSTEM))
            say(f"  EXPLAIN for {key} → {explain_queries(key, check_all, why)}")
    except Exception as exc:
        say(f"  EXPLAIN for {key} failed: {exc}")


if __name__ == "__main__":
    main()
