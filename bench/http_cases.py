"""The HTTP cases of `make bench`, in the order they are timed (docs/performance.md).

Every case is measured side by side with the bare view (bench/views.py) in alternating bursts,
rotating over the same users (bench/web.py), and judged by two ratios to it: the p95 of the wall
time at the client and the median of the worker's CPU time (bench.middleware). With a 100k data
set beside the large one, each list is also sent to a second server over it, in the same bursts,
for the growth budget.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from bench.cases import Entry, unavailable
from bench.config import CLIENTS, HOST, MANY_CLIENTS, REQUESTS, SCALE, say
from bench.load import Client, LoadResult, Request, drive, percentile, side_by_side, split
from bench.web import Make, Site

SEARCH_QUERY = "管网 维修"  # two words of one of the generator's topics (自来水管网维修)
THREE = "≤ 3× bare (p95 and CPU)"
# The lists a township's users open most, as each role opens them (DESIGN.md §6).
LISTS = [
    ("diaries", "/api/v1/diaries/", "token"), ("matters", "/api/v1/matters/", "token"),
    ("households", "/api/v1/households/", "token"), ("pledges", "/api/v1/pledges/", "token"),
    ("disclosures", "/api/v1/disclosures/", "token"), ("inspections", "/api/v1/inspections/", "token"),
    ("notifications", "/notifications/", "session"),
]
Explain = list[tuple[str, str, dict[str, str]]]


def http_entry(name: str, key: str, case: LoadResult, base: LoadResult, budget: str, limit: float | None,
               *, cpu_limit: float | None = None, absolute: float | None = None, note: str = "") -> Entry:
    """One case against its baseline: p95 ratio, CPU ratio, and whether the budget holds for both."""
    value, baseline = case.percentile(95), base.percentile(95)
    ratio = value / baseline if value is not None and baseline else None
    cpu, base_cpu = percentile(case.cpu_ms, 50), percentile(base.cpu_ms, 50)
    cpu_ratio = cpu / base_cpu if cpu and base_cpu else None
    checks: list[bool] = []
    if limit is not None and ratio is not None:
        checks.append(ratio <= limit)
    if cpu_limit is not None and cpu_ratio is not None:
        checks.append(cpu_ratio <= cpu_limit)
    if absolute is not None and value is not None:
        checks.append(value <= absolute)
    passed: bool | None = all(checks) if checks else None
    if case.errors:
        passed = False
        note = f"{note}; {case.errors} failed requests, first: {case.first_error}".lstrip("; ")
    if case.capped:
        note = f"{note}; duration cap reached after {case.n} requests".lstrip("; ")
    replica = sum(case.replica_queries)
    if replica:
        note = f"{note}; {replica} of {sum(case.queries)} queries on the read replica".lstrip("; ")
    return Entry(name, value, "ms p95", baseline, ratio, budget, passed, note, extra={
        "key": key, "p50": case.percentile(50), "baseline_p50": base.percentile(50), "n": case.n,
        "baseline_n": base.n, "rps": case.n / case.seconds if case.seconds else None,
        # Contention-free view of the same requests: the worker's CPU and the database wait (medians).
        "server_cpu_p50": cpu, "server_db_p50": percentile(case.db_ms, 50),
        "baseline_cpu_p50": base_cpu, "cpu_ratio": round(cpu_ratio, 2) if cpu_ratio else None,
        "queries": max(case.queries) if case.queries else None,
    })


class Run:
    """The servers of one run and the entries it has written so far."""

    def __init__(self, main: Site, small: Site | None) -> None:
        self.main, self.small = main, small
        self.entries: list[Entry] = []
        self.explain: Explain = []

    def measure(self, label: str, makes: dict[str, Make], total: int = REQUESTS, ok: tuple[int, ...] = (200,),
                clients: int = CLIENTS) -> dict[str, LoadResult]:
        say(f"  {label}: {', '.join(makes)} ({total} requests each, {clients} clients)")
        return side_by_side(HOST, self.main.port, makes, total=total, clients=clients, max_seconds=420, ok=ok)

    def growth(self, name: str, key: str, res: dict[str, LoadResult], kind: str = "case", *,
               unequal: str = "") -> None:
        """The p95 at this scale against the 100k server's (≤ 1.3×), side by side. `unequal`: why the
        two pages hold different work, so that the row is reported, not judged (its budget is
        another row's)."""
        if f"{kind}@100k" in res:
            small = res[f"{kind}@100k"]
            note = "side by side in this run: the same users on a second server over the 100k data set"
            entry = http_entry(
                f"growth {SCALE} vs 100k: {name}", f"growth.{key}", res[kind], small,
                f"reported: {unequal}" if unequal else "≤ 1.3×", None if unequal else 1.3,
                note=f"{note}; {unequal}" if unequal else note)
            if small.errors:  # the 100k server failing is a failure, not a missing baseline
                entry.passed = False
                entry.note = f"{entry.note}; the 100k server failed {small.errors} requests, first: {small.first_error}"
            self.entries.append(entry)

    def against_bare(self, name: str, key: str, path: str, role: str, kind: str = "token", *,
                     limit: float = 3, budget: str = THREE, note: str = "", unequal: str = "") -> None:
        """The commonest case: one GET rotating over a role's users, against the bare view."""
        ok, why = self.main.probe(path, role, kind)
        if not ok:
            self.entries.append(unavailable(name, "ms p95", budget, why))
            return
        makes = {"bare": self.main.get("/bench/bare/", role, kind=kind), "case": self.main.get(path, role, kind=kind)}
        if self.small:
            makes["case@100k"] = self.small.get(path, role, kind=kind)
        res = self.measure(name, makes)
        users = len(self.main.pools.of(role))
        self.entries.append(http_entry(name, key, res["case"], res["bare"], budget, limit, cpu_limit=limit,
                                       note=f"{kind} auth, {users} users in turn{'; ' + note if note else ''}"))
        self.growth(name, key, res, unequal=unequal)
        self.explain.append((key, path, self.main.headers(self.main.first(role), kind)))


# --- the lists -------------------------------------------------------------------------------------------------


def lists(run: Run) -> None:
    for key, path, kind in LISTS:
        for role in ("leader", "cadre"):
            name = f"GET {path} first page, {role}"
            unequal, size = unequal_pages(run, path, role, kind)
            run.against_bare(name, f"{key}.{role}.first", path, role, kind, unequal=unequal)
            if size and run.small:
                short = f"{path}?page_size={size}"
                name = f"GET {short} first page, {role}"
                res = run.measure(name, {"case": run.main.get(short, role, kind=kind),
                                         "case@100k": run.small.get(short, role, kind=kind)})
                run.growth(name, f"{key}.{role}.short", res)


def unequal_pages(run: Run, path: str, role: str, kind: str) -> tuple[str, int | None]:
    """Whether the role's first pages hold fewer rows on the 100k data set than here (a cadre's 12
    weeks of matters against 27 months): then the growth of the default page measures the page
    filling up, not the data set growing, and is reported, while a page every user fills on both
    is judged (its size returned)."""
    if run.small is None or kind != "token":
        return "", None

    def rows(site: Site) -> list[int]:
        counts = []
        for user in site.pools.of(role):
            status, body = site.server.send(Request("GET", path, site.headers(user, kind)))
            counts.append(len(json.loads(body)["results"]) if status == 200 else 0)
        return counts

    here, small = rows(run.main), rows(run.small)
    if all(s >= h for s, h in zip(small, here, strict=True)):
        return "", None
    size = max(1, min((n for n in small if n), default=1))
    mean = lambda counts: round(sum(counts) / len(counts))  # noqa: E731
    return (f"pages unequal (~{mean(small)} rows at 100k, {mean(here)} at {SCALE}); judged with pages of "
            f"{size} below"), size


def walk_to_deepest(site: Site, first: str, user: str) -> tuple[str, int]:
    """Follow `next` links (200 rows a page, then 50) to the deepest full page of 50 rows.
    Returns its path and the rows before it."""
    client = Client(HOST, site.port)
    headers = site.headers(user)
    sep = "&" if "?" in first else "?"
    url, previous, walked, rows = f"{first}{sep}page_size=200", None, 0, 0
    while True:
        data = client.get_json(url, headers)
        walked += 1
        if not data.get("next"):
            break
        rows += len(data["results"])
        previous, url = url, split(data["next"])
        if walked > 10000:
            raise RuntimeError(f"the cursor does not advance (page {walked}: {url})")
    start = (previous or f"{first}{sep}page_size=200").replace("page_size=200", "page_size=50")
    rows = max(0, rows - (200 if previous else 0))
    pages: list[tuple[str, int]] = []
    next_url: str | None = start
    while next_url:
        data = client.get_json(next_url, headers)
        pages.append((next_url, len(data["results"])))
        next_url = split(data["next"]) if data.get("next") else None
    client.close()
    full = [p for p in pages if p[1] == 50] or pages
    return full[-1][0], rows + 50 * pages.index(full[-1])


def deepest_pages(run: Run, users_per_role: int = 3) -> None:
    """The diary list's deepest full page against its first page, for a few users of each role."""
    first = "/api/v1/diaries/"
    for role in ("leader", "cadre"):
        name = f"GET /api/v1/diaries/ deepest page vs first page, {role}"
        users = run.main.pools.of(role)[:users_per_role]
        walks = [(walk_to_deepest(run.main, first, u), u) for u in users]
        depth = max(rows for (_p, rows), _u in walks)
        say(f"  {role}: deepest full pages after up to {depth:,} rows ({len(users)} users)")
        makes = {"first": run.main.each([(first, u) for u in users]),
                 "deep": run.main.each([(path, u) for (path, _r), u in walks])}
        if run.small:
            small_walks = [(walk_to_deepest(run.small, first, u)[0], u) for u in users]
            makes |= {"first@100k": run.small.each([(first, u) for u in users]),
                      "deep@100k": run.small.each(small_walks)}
        res = run.measure(name, makes)
        key = f"diaries.{role}.deep_vs_first"
        run.entries.append(http_entry(name, key, res["deep"], res["first"], "≤ 1.5× first page", 1.5,
                                      note=f"{len(users)} users' deepest full pages, up to {depth:,} rows down; "
                                           "baseline = their first pages"))
        run.growth(f"GET /api/v1/diaries/ deepest page, {role}", f"diaries.{role}.deep", res, "deep")
        run.explain.append((f"diaries.{role}.deep", walks[0][0][0], run.main.headers(users[0])))


# A cadre's first search page holds different work at the two scales: the 100k data set spans 12
# weeks, so a cadre has ~50 diaries there and ~9 of them match, where at 1m the page holds 50
# matches. Its growth is reported; the budget judges pages of 8, full at both scales (the same
# page's cost as the county's years accumulate). A leader's page is full at both.
UNEQUAL_PAGES = "pages unequal (~9 matches at 100k, 50 at 1m); judged with pages of 8 below"


def search(run: Run) -> None:
    path = "/api/v1/diaries/?search=" + quote(SEARCH_QUERY)
    for role in ("leader", "cadre"):
        run.against_bare(f"GET /api/v1/diaries/?search={SEARCH_QUERY} first page, {role}", f"search.{role}", path,
                         role, note="every word must match (a leader: the GIN index; a cadre: their diaries' term filters)",
                         unequal=UNEQUAL_PAGES if role == "cadre" else "")
    if not run.small:
        return
    short = f"{path}&page_size=8"
    for role in ("leader", "cadre"):
        name = f"GET /api/v1/diaries/?search={SEARCH_QUERY}&page_size=8 first page, {role}"
        res = run.measure(name, {"case": run.main.get(short, role), "case@100k": run.small.get(short, role)})
        run.growth(name, f"search.{role}.short", res)


# --- the dashboard ---------------------------------------------------------------------------------------------


def expire_panels() -> int:
    """Expire every shared dashboard panel (core.dashboard.shared_figures) of both servers, as
    DASHBOARD_FIGURES_SECONDS would: their keys are `<deployment prefix>:<version>:dashboard:…`."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match="*:dashboard:*", count=1000))
    removed = int(client.delete(*keys)) if keys else 0
    client.close()
    return removed


def cache_prefixes() -> set[str]:
    """The deployments whose panels are in the cache now (one prefix per database)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    prefixes = {key.decode().split(":dashboard:")[0] for key in client.scan_iter(match="*:dashboard:*", count=1000)}
    client.close()
    return prefixes


def cold(make: Make) -> Make:
    """The same request with every shared panel expired just before it is sent (not timed)."""
    def build(i: int) -> Request:
        expire_panels()
        return make(i)
    return build


def dashboards(run: Run) -> None:
    main, small = run.main, run.small
    name = "GET / dashboard warm (shared panels cached), party secretaries"
    ok, why = main.probe("/", "leader", "session")
    if not ok:
        run.entries.append(unavailable(name, "ms p95", THREE, why))
        return
    for site in filter(None, (main, small)):  # each township's panels computed once: the warm state
        drive(HOST, site.port, site.page("/", "leader"), total=len(site.pools.leaders), clients=CLIENTS)
    bare = main.get("/bench/bare/", "leader", kind="session")
    makes = {"bare": bare, "case": main.page("/", "leader")}
    if small:
        makes["case@100k"] = small.page("/", "leader")
    res = run.measure(name, makes)
    own = ""
    if small and os.environ.get("REDIS_URL"):
        prefixes = cache_prefixes()
        own = (f"; the two servers' panels cached under {len(prefixes)} deployment prefixes "
               f"({', '.join(sorted(p.rsplit(':', 1)[0] for p in prefixes))}): each computes its own figures")
    users = len(main.pools.leaders)
    run.entries.append(http_entry(name, "dashboard.warm", res["case"], res["bare"], THREE, 3, cpu_limit=3,
                                  note=f"session auth, {users} townships' secretaries in turn{own}"))
    run.growth("GET / dashboard warm, party secretaries", "dashboard.warm", res)
    run.explain.append(("dashboard.warm", "/", main.headers(main.first("leader"), "session")))

    cold_name = "GET / dashboard cold (shared panels expired), party secretaries"
    if not os.environ.get("REDIS_URL"):
        run.entries.append(unavailable(cold_name, "ms p95", "≤ 8× bare (p95 and CPU)", "needs REDIS_URL"))
        return
    makes = {"bare": bare, "case": cold(main.page("/", "leader"))}
    if small:
        makes["case@100k"] = cold(small.page("/", "leader"))
    res = run.measure(cold_name, makes, total=max(40, REQUESTS // 2))
    run.entries.append(http_entry(cold_name, "dashboard.cold", res["case"], res["bare"], "≤ 8× bare (p95 and CPU)",
                                  8, cpu_limit=8, note="every panel of every township expired before each request"))
    run.growth("GET / dashboard cold, party secretaries", "dashboard.cold", res)
    fresh_workers(run, bare)


def fresh_workers(run: Run, bare: Make, reloads: int = 8) -> None:
    """The first requests of freshly started workers (after a deploy or a crash), panels expired.
    After each reload's first pages, the bare view on the same workers, in the same interval: the
    machine's state weighs on both alike (its first requests there are not measured)."""
    name = "GET / dashboard on fresh workers (just started, panels expired), party secretaries"
    server, page = run.main.server, run.main.page("/", "leader")
    first, base = LoadResult(), LoadResult()
    per_reload = max(8, REQUESTS // (2 * reloads))
    for r in range(reloads):
        server.fresh_workers()
        expire_panels()
        workers = len(server.worker_pids())
        first.extend(drive(HOST, server.port, lambda i, r=r: page(r * 3 + i), total=workers, clients=workers))
        drive(HOST, server.port, bare, total=3 * workers, clients=CLIENTS)  # each worker's first bare answers
        base.extend(drive(HOST, server.port, lambda i, r=r: bare(r * per_reload + i), total=per_reload,
                          clients=CLIENTS))
    say(f"  fresh workers: {first.n} first requests after {reloads} reloads, {base.n} bare ones beside them")
    run.entries.append(http_entry(name, "dashboard.fresh", first, base, "≤ 8× bare (p95 and CPU)", 8, cpu_limit=8,
                                  note=f"each worker's first request after {reloads} reloads (SIGHUP) of gunicorn; "
                                       "baseline: the bare view on the same workers after each reload's first "
                                       "pages (its first answers there not measured)"))


def county(run: Run) -> None:
    run.against_bare("GET / county dashboard (20 townships), county readers", "dashboard.county", "/", "county",
                     "session")


# --- reports and exports ---------------------------------------------------------------------------------------


def _months_back(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28)) + timedelta(days=1)


def reports(run: Run, end: date) -> None:
    """The county's reports over the whole 27 months, and the 13 weeks' completeness for growth."""
    start = _months_back(end, 27)
    period = f"start={start}&end={end}"
    for by in ("village", "township"):
        _report(run, f"GET reports/diary-completeness?by={by}, county-wide, 27 months",
                f"report.completeness.{by}.27m", f"/api/v1/reports/diary-completeness?{period}&by={by}")
    _report(run, "GET reports/matters, county-wide, 27 months", "report.matters.27m",
            f"/api/v1/reports/matters?{period}")
    quarter = (end - timedelta(days=90), end)
    path = f"/api/v1/reports/diary-completeness?start={quarter[0]}&end={quarter[1]}&by=village"
    ok, why = run.main.probe(path, "county")
    name = "GET reports/diary-completeness by village, county-wide (13 weeks)"
    if ok:
        makes = {"bare": run.main.get("/bench/bare/", "county"), "case": run.main.get(path, "county")}
        if run.small:
            makes["case@100k"] = run.small.get(_quarter_path(run.small), "county")
        res = run.measure(name, makes, total=max(20, REQUESTS // 5))
        run.entries.append(http_entry(name, "report.completeness.county", res["case"], res["bare"],
                                      "(ratio and growth only)", None, note=_replica_note(res["case"])))
        run.growth(name, "report.completeness.county", res)
    else:
        run.entries.append(unavailable(name, "ms p95", "(growth only)", why))


def _quarter_path(site: Site) -> str:
    from bench.cases import data_end, database

    with database(site.url):
        end = data_end()
    return f"/api/v1/reports/diary-completeness?start={end - timedelta(days=90)}&end={end}&by=village"


def _replica_note(result: LoadResult) -> str:
    if os.environ.get("DATABASE_REPLICA_URL"):
        return "county token; DATABASE_REPLICA_URL set"
    return "county token; no replica configured (DATABASE_REPLICA_URL unset): read from the primary"


def _report(run: Run, name: str, key: str, path: str) -> None:
    ok, why = run.main.probe(path, "county")
    if not ok:
        run.entries.append(unavailable(name, "ms p95", "p95 ≤ 2 s", why))
        return
    res = run.measure(name, {"bare": run.main.get("/bench/bare/", "county"), "case": run.main.get(path, "county")},
                      total=max(20, REQUESTS // 10))
    run.entries.append(http_entry(name, key, res["case"], res["bare"], "p95 ≤ 2 s", None, absolute=2000,
                                  note=f"{len(run.main.pools.county)} county readers in turn; {_replica_note(res['case'])}"))
    run.explain.append((key, path, run.main.headers(run.main.first("county"))))


def export_period(rows: int = 100_000) -> tuple[date, date, int]:
    """The latest period with about `rows` diaries county-wide."""
    from django.db.models import Count

    from supervision.models import Diary

    per_day = (Diary.objects.filter(deleted_at__isnull=True).values("date").annotate(n=Count("id"))
               .order_by("-date").values_list("date", "n"))
    total, start, end = 0, None, None
    for day, n in per_day.iterator():
        end = end or day
        total += n
        start = day
        if total >= rows:
            break
    if start is None or end is None:
        raise RuntimeError("no diaries to export")
    return start, end, total


def exports(run: Run, runs: int = 3) -> None:
    """The diaries export of about 100,000 rows, CSV and XLSX, as a county reader: the first byte
    and the last, read from the socket as a client reads a stream."""
    start, end, total = export_period()
    for fmt in ("csv", "xlsx"):
        name = f"GET reports/diaries?format={fmt}, {total:,} diaries (county), whole download"
        path = f"/api/v1/reports/diaries?start={start}&end={end}&format={fmt}"
        ok, why = run.main.probe(path, "county")
        if not ok:
            run.entries.append(unavailable(name, "s", "< 5 s, first byte < 1 s", why))
            continue
        firsts, wholes, size = [], [], 0
        for i in range(runs):
            first, whole, size = _download(run.main, path, run.main.pools.county[i % len(run.main.pools.county)])
            firsts.append(first)
            wholes.append(whole)
        worst_first, worst_whole = max(firsts), max(wholes)
        run.entries.append(Entry(
            name, worst_whole, "s", None, None, "< 5 s, first byte < 1 s", worst_whole < 5 and worst_first < 1,
            note=f"worst of {runs} downloads; first byte after {worst_first:.2f} s; {size / 1e6:.1f} MB; {start} … {end}",
            extra={"key": f"export.{fmt}", "first_byte_s": round(worst_first, 3)}))


def _download(site: Site, path: str, user: str) -> tuple[float, float, int]:
    import http.client

    conn = http.client.HTTPConnection(HOST, site.port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={**site.headers(user), "Host": f"{HOST}:{site.port}"})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {response.read(300)!r}")
    first = response.read(1)
    first_at = time.perf_counter() - started
    size = len(first)
    while chunk := response.read(65536):
        size += len(chunk)
    conn.close()
    return first_at, time.perf_counter() - started, size


# --- throughput --------------------------------------------------------------------------------------------------


def throughput(run: Run, rounds: int = 2) -> None:
    """The diary list under 32 clients against 4: requests per second kept, no error, latency bounded."""
    name = f"GET /api/v1/diaries/ throughput, {MANY_CLIENTS} clients vs {CLIENTS}, leaders"
    few, many, bare_many = LoadResult(), LoadResult(), LoadResult()
    case, bare = run.main.get("/api/v1/diaries/", "leader"), run.main.get("/bench/bare/", "leader")
    say(f"  throughput: {CLIENTS} and {MANY_CLIENTS} clients, {rounds} rounds")
    for _ in range(rounds):
        few.extend(drive(HOST, run.main.port, case, total=REQUESTS, clients=CLIENTS, max_seconds=300))
        many.extend(drive(HOST, run.main.port, case, total=2 * REQUESTS, clients=MANY_CLIENTS, max_seconds=300))
        bare_many.extend(drive(HOST, run.main.port, bare, total=2 * REQUESTS, clients=MANY_CLIENTS, max_seconds=300))
    rps_few, rps_many = few.n / few.seconds, many.n / many.seconds
    p95_many, p95_bare = many.percentile(95), bare_many.percentile(95)
    latency = p95_many / p95_bare if p95_many and p95_bare else None
    kept = rps_many / rps_few
    passed = kept >= 0.8 and not many.errors and latency is not None and latency <= 10
    run.entries.append(Entry(
        name, rps_many, "req/s", rps_few, kept, f"≥ 0.8× the {CLIENTS}-client rate, no error, p95 ≤ 10× bare", passed,
        note=f"p95 at {MANY_CLIENTS} clients {p95_many:.0f} ms = {latency:.1f}× the bare view's at {MANY_CLIENTS} "
             f"clients ({p95_bare:.0f} ms); errors {many.errors}",
        extra={"key": "throughput.diaries", "p95_many": p95_many, "p95_bare_many": p95_bare}))


# --- the write ---------------------------------------------------------------------------------------------------


def writers_for_post(n: int) -> list[dict[str, Any]]:
    """Township cadres with a log-in, a village and a contact household there: one per POST."""
    from cadres.models import Cadre, HouseholdContact, VillageAssignment

    cadres = list(
        Cadre.objects.filter(level="township", is_active=True, post__in=["staff", "unit_head"], user__isnull=False)
        .exclude(user__username__in=["bench_cadre", "bench_office"])
        .order_by("township_id", "id")
        .values("pk", "user__username")[: n]
    )
    villages = dict(VillageAssignment.objects.filter(cadre_id__in=[c["pk"] for c in cadres], end__isnull=True)
                    .values_list("cadre_id", "village_id"))
    contacts: dict[int, int] = {}
    for cadre_id, household_id, village_id in HouseholdContact.objects.filter(
        cadre_id__in=[c["pk"] for c in cadres], end__isnull=True
    ).values_list("cadre_id", "household_id", "household__village_id"):
        if villages.get(cadre_id) == village_id:
            contacts.setdefault(cadre_id, household_id)
    return [{"cadre": c["pk"], "username": c["user__username"], "village": villages[c["pk"]],
             "households": [contacts[c["pk"]]] if c["pk"] in contacts else []}
            for c in cadres if c["pk"] in villages]


def post_diaries(run: Run, posters: list[dict[str, Any]], today: date) -> None:
    """POST /api/v1/diaries/, each request a distinct cadre writing today's diary."""
    main = run.main
    name = "POST /api/v1/diaries/ (distinct cadre and day)"

    def body(p: dict[str, Any]) -> bytes:
        return json.dumps({"date": today.isoformat(), "village": p["village"], "households": p["households"],
                           "category": "policy", "place": "村委会", "people_met": "村民代表",
                           "situation": "走访农户，宣传惠农补贴政策，群众反映灌溉渠道需要清淤。" * 8,
                           "problems": "灌溉渠道淤堵，春灌前需清淤，涉及三个村民小组。", "ideas": ""}).encode()

    def post(offset: int) -> Make:
        def make(i: int) -> Request:
            p = posters[(offset + i) % len(posters)]
            return Request("POST", "/api/v1/diaries/", {**main.headers(p["username"]),
                                                        "Content-Type": "application/json"}, body(p))
        return make

    warm = len(posters) - 40
    status, answer = main.server.send(post(warm)(0))
    if status != 201:
        run.entries.append(unavailable(name, "ms p95", THREE, f"POST answered {status}: {answer[:200]!r}"))
        return
    for i in range(1, 9):
        drive(HOST, main.port, lambda _i, i=i: post(warm)(i), total=1, clients=1, ok=(201,))
    # A cadre's app asks for the villages to fill in the form before it posts; the bare view's
    # token, likewise, has been used before. So the first REQUESTS writers have made one request
    # (not measured): their token's last use is stamped and who they are is cached, as in use.
    # The next REQUESTS post on their log-in's first request, reported beside it without a budget.
    warmed = drive(HOST, main.port, lambda i: Request("GET", "/api/v1/villages/?page_size=1",
                                                      main.headers(posters[i]["username"])),
                   total=REQUESTS, clients=CLIENTS)
    if warmed.errors:
        raise SystemExit(f"the writers' first requests failed ({warmed.errors} of {REQUESTS})")

    def bare_post(i: int) -> Request:
        p = posters[i % REQUESTS]
        return Request("POST", "/bench/bare/", {**main.headers(p["username"]), "Content-Type": "application/json"},
                       body(p))

    res = run.measure(name, {"bare": bare_post, "case": post(0), "first": post(REQUESTS)}, ok=(200, 201))
    run.entries.append(http_entry(name, "diaries.post", res["case"], res["bare"], THREE, 3, cpu_limit=3,
                                  note="token auth, the writer's second request (the first, not measured: "
                                       "GET /api/v1/villages/); baseline = POST of the same body to the bare view"))
    run.entries.append(http_entry("POST /api/v1/diaries/ on the log-in's first request", "diaries.post.first",
                                  res["first"], res["bare"], "(reported only)", None,
                                  note="token never used before: its last use is stamped and the caller's "
                                       "roles are worked out and cached"))


def forget_todays_diaries(cadre_ids: list[int], today: date) -> int:
    """Remove what the POST case wrote, so every run starts from the generated data."""
    from django.db import connection, transaction

    from supervision.models import Diary

    ids = list(Diary.objects.filter(author_id__in=cadre_ids, date=today).values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM supervision_diary_households WHERE diary_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM supervision_diarysearch WHERE diary_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM supervision_diaryterms WHERE diary_id = ANY(%s)", [ids])
        history = Diary.history.model._meta.db_table  # type: ignore[attr-defined]
        # The history of the diaries' households first: it points at the diaries' history rows.
        for rel in Diary.history.model._meta.related_objects:  # type: ignore[attr-defined]
            table = rel.related_model._meta.db_table
            cursor.execute(f'DELETE FROM "{table}" WHERE history_id IN (SELECT history_id FROM "{history}" '
                           "WHERE id = ANY(%s))", [ids])
        cursor.execute(f'DELETE FROM "{history}" WHERE id = ANY(%s)', [ids])
        cursor.execute("DELETE FROM supervision_diary WHERE id = ANY(%s)", [ids])
    return len(ids)


# --- all of them -------------------------------------------------------------------------------------------------


def run_http(small_url: str | None) -> tuple[list[Entry], Explain]:
    """Every HTTP case on the large data set (and, with `small_url`, its growth on the 100k one)."""
    from django.utils import timezone

    from bench.cases import data_end
    from cadres.actor_cache import forget_all_actors

    posters = writers_for_post(2 * REQUESTS + 40)
    if len(posters) < 2 * REQUESTS + 40:
        raise SystemExit(f"the data set has {len(posters)} writers for the POST case, not {2 * REQUESTS + 40}")
    today = timezone.localdate()
    # Every run starts as after a deploy: nobody's roles are cached yet (cadres.actor_cache).
    forget_all_actors()
    forget_todays_diaries([p["cadre"] for p in posters], today)
    sites: list[Site] = []
    try:
        main = Site(SCALE, None, [p["username"] for p in posters])
        sites.append(main)
        small = Site("100k", small_url) if small_url else None
        if small:
            sites.append(small)
        run = Run(main, small)
        steps: list[Callable[[], None]] = [
            lambda: lists(run), lambda: deepest_pages(run), lambda: search(run), lambda: dashboards(run),
            lambda: county(run), lambda: reports(run, data_end()), lambda: exports(run), lambda: throughput(run),
            lambda: post_diaries(run, posters, today),
        ]
        for step in steps:
            step()
    finally:
        for site in sites:
            site.stop()
        forget_todays_diaries([p["cadre"] for p in posters], today)
    return run.entries, run.explain
