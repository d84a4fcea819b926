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
import supervision.exports as exports
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
    # Written in Python (SQLite, or as here): the rows are read as the body is sent.
    monkeypatch.setattr(export, "written_by_database", lambda: False)
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


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_first_bytes_leave_before_the_database_writes_the_rows(diaries, monkeypatch, fmt):
    # Written by PostgreSQL: the header leaves before the COPY statement is sent.
    statements: list[str] = []
    real = exports.copy_out

    def watched(sql: str, *args: Any, **kwargs: Any) -> Iterator[bytes]:
        statements.append(sql)
        yield from real(sql, *args, **kwargs)

    monkeypatch.setattr(exports, "copy_out", watched)
    response = api_client(diaries.secretary.user).get(URL + f"&format={fmt}")
    body = iter(response.streaming_content)
    first = next(body)
    assert first.startswith(b"\xef\xbb\xbf" if fmt == "csv" else b"PK") and statements == []
    rest = b"".join(body)
    assert len(statements) == 1 and rest


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
    # Committed data (a transactional test): the export's chunks are read by core.read_ahead's thread
    # (as the export job reads them; the API's file is written by PostgreSQL otherwise).
    monkeypatch.setattr(export, "written_by_database", lambda: False)
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


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_written_by_the_database_is_the_file_written_in_python(diaries, monkeypatch, fmt):
    """Every kind of reader (names, masks, the scope), texts a spreadsheet would take for formulas
    or that CSV and XML must quote, several households in their order, an empty text, a category
    without a label, times with and without fractions: the same cells either way."""
    w = diaries
    second = f.HouseholdFactory(village=w.v1, head_name="王")
    formula = f.HouseholdFactory(village=w.v1, head_name="=李四")
    tricky = f.DiaryFactory(
        author=w.cadre1, village=w.v1, date=dt.date(2026, 11, 4), place="@村委会", people_met="-群众, \"代表\"",
        situation="行一\n行二，\"引号\" <b>&amp;</b> 反斜杠\\n\\\\ 制表\t尾\r\n末", problems="\t问题", ideas="")
    tricky.households.set([formula, w.h1, second])
    Diary = type(tricky)
    Diary.objects.filter(pk=tricky.pk).update(category="旧类别", created_at=dt.datetime(2026, 11, 4, 10, 0, 0, 123456,
                                                                                        tzinfo=dt.UTC))
    users = [w.secretary.user, w.reporter_user, w.cadre1.user, w.cadre2.user, w.outsider.user, w.village1.user]

    def read(body: bytes) -> list[list[Any]]:
        if fmt == "csv":
            return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]

    def xml_read(value: Any) -> Any:
        # What an XML reader makes of a CR LF written as it is (Python's sheet): a line feed.
        # PostgreSQL's sheet writes the CR as &#13; and keeps it (asserted below).
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    def files() -> list[list[list[Any]]]:
        return [read(b"".join(api_client(user).get(URL + f"&format={fmt}").streaming_content)) for user in users]

    by_database = files()
    monkeypatch.setattr(export, "written_by_database", lambda: False)
    in_python = files()
    assert [len(rows) for rows in by_database] == [len(rows) for rows in in_python] == [4, 4, 3, 2, 2, 1]
    for mine, theirs in zip(by_database, in_python, strict=True):
        for row, expected in zip(mine, theirs, strict=True):
            if fmt == "xlsx" and isinstance(row[-1], dt.datetime):  # Excel's serial days: within a millisecond
                assert abs(row[-1] - expected[-1]) < dt.timedelta(milliseconds=1)
                row, expected = row[:-1], expected[:-1]
            assert (row == expected) if fmt == "csv" else ([xml_read(v) for v in row] == expected)
    leader_row = next(r for r in by_database[0] if r[6] == "旧类别")
    assert leader_row[9] == "张三；王；=李四" and leader_row[7] == "'@村委会" and leader_row[11] == "'\t问题"
    assert leader_row[10].startswith("行一\n行二，\"引号\" <b>&amp;</b> 反斜杠\\n\\\\ 制表\t尾\r\n末")
    assert leader_row[12] in ("", None)  # an empty text: an empty field, no cell
    reporter_row = next(r for r in by_database[1] if r[6] == "旧类别")
    assert reporter_row[5] == "干**" and reporter_row[9] == "张*；王*；=**"
    if fmt == "csv":
        assert leader_row[-1] == "2026-11-04T18:00:00.123456+08:00"
    else:
        assert abs(leader_row[-1] - dt.datetime(2026, 11, 4, 18, 0, 0, 123456)) < dt.timedelta(milliseconds=1)
