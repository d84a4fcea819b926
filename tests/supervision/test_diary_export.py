"""The diaries export (issue #17): CSV and XLSX streamed as read, scoped, masked for the reporter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

import supervision.api.reports.diaries_export as export
from core import read_ahead
from core.models import JobRun
from portal.apikeys import api_key_create
from tests import factories as f
from tests.helpers import api_client, page_client

URL = "/api/v1/reports/diaries/?start=2026-11-01&end=2026-11-30"


@pytest.fixture
def diaries(world):  # type: ignore[no-untyped-def]
    first = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2), situation="=1+1 民情")
    first.households.set([world.h1])
    f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 11, 3))
    f.DiaryFactory(author=world.outsider, date=dt.date(2026, 11, 3))  # another township
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 10, 31))  # outside the period
    return world


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_reporter_gets_the_township_diaries_with_names_masked(diaries):
    response = api_client(diaries.reporter_user).get(URL + "&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:6] == ["镇 id", "镇", "日记 id", "日期", "走访村", "作者"]
    assert [(r[1], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("东河镇", "2026-11-02", "东河村", "干**"), ("东河镇", "2026-11-03", "光明路村", "干**")]
    assert rows[1][9] == "张*"  # the household's head, masked
    assert rows[1][10] == "'=1+1 民情"  # never a formula


def test_leader_sees_names_and_a_cadre_only_their_own(diaries):
    rows = _csv(api_client(diaries.secretary.user).get(URL + "&format=csv"))
    assert [(r[5], r[9]) for r in rows[1:]] == [("干部甲", "张三"), ("干部乙", "")]
    own = _csv(api_client(diaries.cadre2.user).get(URL + "&format=csv"))
    assert [r[5] for r in own[1:]] == ["干部乙"]
    assert len(_csv(api_client(diaries.village1.user).get(URL + "&format=csv"))) == 1  # the header only


def test_xlsx_reads_back(diaries):
    response = api_client(diaries.secretary.user).get(URL + "&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["镇 id", "镇", "日记 id", "日期"]
    assert [row[3] for row in values[1:]] == [dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 3)]
    assert values[1][10] == "'=1+1 民情"
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_first_bytes_leave_before_the_rows_are_read(diaries, monkeypatch, fmt):
    read: list[int] = []
    real = export.diary_export_rows

    def counting(*args: Any) -> Iterator[dict[str, Any]]:
        for row in real(*args):
            read.append(row["id"])
            yield row

    monkeypatch.setattr(export, "diary_export_rows", counting)
    monkeypatch.setattr("supervision.exports.EXPORT_CHUNK", 1)
    started = time.monotonic()
    response = api_client(diaries.secretary.user).get(URL + f"&format={fmt}")
    body = iter(response.streaming_content)
    first = next(body)
    assert time.monotonic() - started < 1
    assert first and read == []  # the header left before any diary was read
    rest = b"".join(body)
    assert len(read) == 2 and rest


def test_json_for_short_periods_only_and_files_up_to_the_limit(diaries, settings, monkeypatch):
    client = api_client(diaries.reporter_user)
    assert [r["township_name"] for r in client.get(URL).json()["results"]] == ["东河镇", "东河镇"]
    monkeypatch.setattr(export, "JSON_MAX_ROWS", 1)
    response = client.get(URL)
    assert response.status_code == 400
    assert response.json()["detail"] == "format: 该期间共有 2 篇日记，JSON 格式最多 1 篇；请用 format=csv 或 format=xlsx 导出。"
    settings.EXPORT_STREAM_MAX_ROWS = 1
    _key, raw = api_key_create(name="县平台", township=diaries.township, created_by=None, rate="1000/min")
    response = api_client(api_key=raw).get(URL + "&format=csv")
    assert response.status_code == 400, response.json()  # a system splits the period; it has no job page
    assert "超过单次导出上限 1 篇" in response.json()["detail"]
    assert client.get("/api/v1/reports/diaries/?start=2026-11-30&end=2026-11-01&format=csv").status_code == 400


def test_outsider_and_anonymous_get_nothing(diaries):
    assert api_client().get(URL + "&format=csv").status_code in (401, 403)
    rows = _csv(api_client(diaries.outsider.user).get(URL + "&format=csv"))
    assert [r[1] for r in rows[1:]] == ["西山镇"]


def test_an_export_too_big_for_a_request_becomes_a_job_with_a_download(diaries, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.EXPORT_STREAM_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(diaries.secretary.user).get(URL + "&format=csv")
    assert response.status_code == 202
    job = JobRun.objects.get(pk=response.json()["job"])
    assert response.json()["status_url"] == f"/jobs/{job.pk}/" == response["Location"]
    assert job.status == JobRun.Status.SUCCEEDED and job.params["result"]["rows"] == 2
    page = page_client(diaries.secretary.user).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and "下载导出文件" in page.content.decode()
    download = page_client(diaries.secretary.user).get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [r[5] for r in rows[1:]] == ["干部甲", "干部乙"]
    # Someone else's job: nothing to see, nothing to download.
    for user in (diaries.head.user, diaries.reporter_user):
        assert page_client(user).get(f"/jobs/{job.pk}/").status_code == 404
        assert page_client(user).get(f"/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the reader thread is PostgreSQL's")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_read_ahead_by_a_thread_writes_the_same_file_as_reading_in_turn(diaries, monkeypatch, fmt):
    # Committed data (a transactional test): the export's chunks are read by core.read_ahead's thread.
    monkeypatch.setattr("supervision.exports.EXPORT_CHUNK", 1)
    users = [diaries.secretary.user, diaries.reporter_user, diaries.cadre2.user, diaries.outsider.user]

    def files() -> list[Any]:
        bodies = [b"".join(api_client(user).get(URL + f"&format={fmt}").streaming_content) for user in users]
        if fmt == "csv":
            return bodies
        return [[[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()] for body in bodies]

    readers: list[str] = []
    real_read = read_ahead._read

    def spying(*args: Any) -> None:
        readers.append(threading.current_thread().name)
        real_read(*args)

    monkeypatch.setattr(read_ahead, "_read", spying)
    threaded = files()
    assert readers == ["read-ahead"] * len(users)
    assert not [t for t in threading.enumerate() if t.name == "read-ahead"]
    monkeypatch.setattr(read_ahead, "_may_read_elsewhere", lambda: False)
    assert files() == threaded and len(readers) == len(users)
    assert "张*" in threaded[1].decode() if fmt == "csv" else threaded[1][1][9] == "张*"  # the reporter: masked
