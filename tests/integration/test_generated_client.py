"""Proof that a real client can use the API: a Python client generated from /api/schema/ by
openapi-python-client (an offline code generator from PyPI) authenticates with an API key
against a live server, pages through diaries by cursor, syncs incrementally (updated_since and
tombstones), fetches every report as JSON, CSV and XLSX, and is refused a write.
"""

from __future__ import annotations

import csv
import enum
import importlib
import inspect
import io
import pkgutil
import subprocess
import sys
import typing
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cadres.roles import SYSTEM, actor_for
from portal.apikeys import api_key_create

# Generating the client takes ~10 s, each test a few more; the margin is for creating the test database.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

PACKAGE = "portal_client"
CONFIG = f"""\
project_name_override: portal-client
package_name_override: {PACKAGE}
post_hooks: []
content_type_overrides:
  text/csv: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""
# Report parameters a county system would send for November 2026.
REPORT_ARGUMENTS: dict[str, Any] = {
    "start": date(2026, 11, 1), "end": date(2026, 11, 30), "year": 2026, "quarter": "2026Q3", "by": "village",
}


def generate_client(base_url: str, workdir: Path) -> ModuleType:
    schema = httpx.get(f"{base_url}/api/schema/?format=json", timeout=60)
    assert schema.status_code == 200
    (workdir / "schema.json").write_bytes(schema.content)
    (workdir / "config.yaml").write_text(CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(generator), "generate", "--path", "schema.json", "--config", "config.yaml", "--meta", "none",
         "--output-path", PACKAGE],
        cwd=workdir, capture_output=True, text=True, timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(workdir))
    return importlib.import_module(PACKAGE)


def forget_client(workdir: Path) -> None:
    sys.path.remove(str(workdir))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def package(live_server, tmp_path_factory, django_db_blocker):  # type: ignore[no-untyped-def]
    """The client generated once from the live server's schema (the schema holds no data, but
    building it may read the database, e.g. a view's queryset)."""
    workdir = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        generated = generate_client(live_server.url, workdir)
    yield generated
    forget_client(workdir)


def operation(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def cursor_of(next_url: Any) -> str | None:
    if not isinstance(next_url, str):
        return None
    return parse_qs(urlparse(next_url).query)["cursor"][0]


def report_arguments(sync: Any) -> dict[str, Any]:
    """Keyword arguments for a generated report function, typed as the generator declared them."""
    hints = typing.get_type_hints(sync)
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(sync).parameters.items():
        if name == "client" or parameter.default is not inspect.Parameter.empty:
            continue
        value = REPORT_ARGUMENTS[name]
        kinds = typing.get_args(hints[name]) or (hints[name],)
        enum_type = next((k for k in kinds if isinstance(k, type) and issubclass(k, enum.Enum)), None)
        if enum_type is not None:
            value = enum_type(value)
        elif str in kinds and not isinstance(value, str):
            value = value.isoformat() if isinstance(value, date) else str(value)
        arguments[name] = value
    return arguments


def in_json(cell: Any, values: list[Any]) -> bool:
    """A CSV or XLSX cell holds one of the JSON row's values (as text, as a number, as a date)."""
    if cell in (None, ""):
        return True
    if isinstance(cell, datetime):
        return any(isinstance(v, str) and v.startswith(cell.isoformat()[:10 if cell.time() == time() else 19])
                   for v in values)
    texts = {str(v) for v in values} | {f"'{v}" for v in values if isinstance(v, str)}
    return cell in values or str(cell) in texts


@pytest.fixture
def diaries(world):  # type: ignore[no-untyped-def]
    from supervision.models import Diary

    mine = [
        Diary.objects.create(township=world.township, author=author, date=day, village=village,
                             situation=f"{day} 走访", category="policy")
        for author, village in ((world.cadre1, world.v1), (world.cadre2, world.v2))
        for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5))
    ]
    elsewhere = Diary.objects.create(township=world.other_township, author=world.outsider, date=date(2026, 11, 2),
                                     village=world.v_other, situation="外镇走访")
    return mine, elsewhere


@pytest.fixture
def duties(world):  # type: ignore[no-untyped-def]
    """A village's pledge and the third quarter's disclosure check, through the services."""
    from supervision.services.disclosures import disclosure_check_run
    from supervision.services.pledges import pledge_create

    pledge_create(township_id=world.township.pk, year=2026, level="village", pledger=world.v1, actor=actor_for(world.office.user))
    disclosure_check_run(year=2026, quarter=3, township=world.township, today=date(2026, 11, 1), actor=SYSTEM)


def test_generated_client_syncs_and_reports_with_an_api_key(package, live_server, world, diaries, duties):
    mine, elsewhere = diaries
    _key, raw = api_key_create(name="县作风办数据平台", township=world.township, created_by=None, rate="100000/min")
    client = package.AuthenticatedClient(base_url=live_server.url, token=raw, prefix="Api-Key", timeout=30)
    with client:  # closes its HTTP connections, so no server thread outlives the test
        check_sync_and_reports(package, client, world, mine, elsewhere)


def check_sync_and_reports(package: ModuleType, client: Any, world: Any, mine: list[Any], elsewhere: Any) -> None:
    me = operation(package, "v1_me_retrieve").sync(client=client)
    assert (me.roles, me.township, me.cadre) == (["reporter"], world.township.pk, None)

    # Page through the diaries by cursor, three at a time.
    diary_list = operation(package, "v1_diaries_list")
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = diary_list.sync(client=client, page_size=3, **({"cursor": cursor} if cursor else {}))
        assert isinstance(page, package.models.PaginatedDiaryList), page
        seen += [d.id for d in page.results]
        pages += 1
        cursor = cursor_of(page.next_)
        if cursor is None:
            break
    assert sorted(seen) == sorted(d.pk for d in mine)
    assert elsewhere.pk not in seen
    assert pages == 3

    # Incremental sync: what changed since a moment, and what was deleted since.
    since = timezone.now()
    edited, removed = mine[0], mine[1]
    edited.problems = "灌溉渠渗漏"
    edited.save()
    removed.deleted_at = timezone.now()
    removed.save()
    changed = diary_list.sync(client=client, updated_since=since)
    assert [d.id for d in changed.results] == [edited.pk]
    gone = operation(package, "v1_tombstones_list").sync(client=client, resource="diaries", updated_since=since)
    assert [t.id for t in gone.results] == [removed.pk]

    # A write with the (read-only) key is refused and changes nothing. (Sent through the generated
    # client's own HTTP session: openapi-python-client 0.29 generates create functions with
    # several request media types that do not import.)
    http = client.get_httpx_client()
    villages = operation(package, "v1_villages_list")
    before = villages.sync(client=client).count
    refused = http.post("/api/v1/villages/", json={"township": world.township.pk, "name": "新村", "code": "V777"})
    assert refused.status_code == 403
    assert package.models.ApiError.from_dict(refused.json()).code == "permission_denied"
    assert villages.sync(client=client).count == before

    # Every report: JSON through the generated function, then CSV and XLSX with the same rows.
    reports = sorted(m.name for m in pkgutil.iter_modules(package.api.v1.__path__) if m.name.startswith("v1_reports_"))
    assert set(reports) >= {"v1_reports_diary_completeness_retrieve", "v1_reports_matters_retrieve",
                            "v1_reports_disclosure_retrieve", "v1_reports_pledges_retrieve"}
    for name in reports:
        module = operation(package, name)
        arguments = report_arguments(module.sync)
        detailed = module.sync_detailed(client=client, **arguments)
        assert detailed.status_code == 200, (name, detailed.content[:300])
        rows = detailed.parsed.to_dict()["results"] if hasattr(detailed.parsed, "to_dict") else None
        assert rows, name
        request = module._get_kwargs(**arguments)  # the URL and query the generated code sends
        url, params = request["url"], request["params"]
        as_csv = http.get(url, params={**params, "format": "csv"})
        assert as_csv.status_code == 200 and as_csv.content.startswith(b"\xef\xbb\xbf"), name
        lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert len(lines) == 1 + len(rows), name
        as_xlsx = http.get(url, params={**params, "format": "xlsx"})
        sheet = list(load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows(values_only=True))
        assert [list(r) for r in sheet[:1]] == [lines[0]], name
        assert len(sheet) == len(lines), name
        # Every figure of the files is a figure of the JSON row in the same place in the list.
        for row, line, cells in zip(rows, lines[1:], sheet[1:], strict=True):
            values = [v for v in row.values() if not isinstance(v, list | dict)]
            assert all(in_json(cell, values) for cell in line), (name, line, row)
            assert all(in_json(cell, values) for cell in cells), (name, cells, row)


def test_generated_client_is_refused_with_an_expired_key(package, live_server, world):
    key, raw = api_key_create(name="过期平台", township=world.township, created_by=None)
    key.__class__.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with package.AuthenticatedClient(base_url=live_server.url, token=raw, prefix="Api-Key", timeout=30) as client:
        answer = operation(package, "v1_villages_list").sync_detailed(client=client)

    assert answer.status_code == 401
    assert "过期" in answer.parsed.detail
