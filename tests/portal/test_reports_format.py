"""Reports as JSON, CSV and XLSX (core.reports): the same figures in each, headers in the
request's language, streamed, spreadsheet-safe, documented field by field in the schema."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from openpyxl import load_workbook
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.reports import REPORT_RENDERERS, Column, report_response, report_schema
from tests.helpers import api_client

# "作风建设简报" is translated in locale/en ("Work-style bulletins"); "Time" is Django's own string,
# translated to "时间" in Django's zh_Hans catalogue: each header changes with the language.
COLUMNS = [
    Column("village", gettext_lazy("作风建设简报")),
    Column("written", gettext_lazy("Time")),
    Column("diaries", "diaries"),
    Column("rate", "rate"),
    Column("day", "day"),
    Column("note", "note"),
    Column("missing", "missing"),
]
ROWS: list[dict[str, Any]] = [
    {"village": "东河村", "written": datetime(2026, 11, 2, 1, 30, tzinfo=UTC), "diaries": 12, "rate": 0.75,
     "day": date(2026, 11, 2), "note": "=HYPERLINK(\"http://x\")", "missing": None},
    {"village": "光明路村", "written": datetime(2026, 11, 3, 2, 0, tzinfo=UTC), "diaries": 0, "rate": 0.0,
     "day": date(2026, 11, 3), "note": "正常", "missing": None},
]
consumed: list[int] = []


def lazy_rows():  # type: ignore[no-untyped-def]
    for index, row in enumerate(ROWS):
        consumed.append(index)
        yield row


class SampleReport(APIView):
    renderer_classes = REPORT_RENDERERS
    permission_classes = [AllowAny]

    @report_schema(
        "Sample",
        COLUMNS,
        ROWS[0],
        extra={"period": "2026-11"},
        parameters=[OpenApiParameter("bad", bool, description="Answer 400.")],
        summary="A sample report",
    )
    def get(self, request: Any) -> Any:
        if request.query_params.get("bad"):
            raise ValidationError({"start": ["开始日期格式不正确。"]})
        rows = lazy_rows() if request.query_params.get("lazy") else ROWS
        return report_response(request, filename="样例报表", columns=COLUMNS, rows=rows, extra={"period": "2026-11"})


urlpatterns = [path("api/v1/reports/sample/", SampleReport.as_view())]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def api(db) -> APIClient:  # type: ignore[no-untyped-def]
    return api_client()


def read_csv(response: Any) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response: Any) -> list[list[Any]]:
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_json_form_is_results_with_the_extra_keys(api):
    response = api.get("/api/v1/reports/sample/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["period"] == "2026-11"
    assert body["results"][0] == {"village": "东河村", "written": "2026-11-02T09:30:00+08:00", "diaries": 12,
                                  "rate": 0.75, "day": "2026-11-02", "note": "=HYPERLINK(\"http://x\")",
                                  "missing": None}


def test_csv_is_utf8_with_bom_chinese_headers_and_the_json_figures(api):
    json_rows = api.get("/api/v1/reports/sample/").json()["results"]

    response = api.get("/api/v1/reports/sample/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%A0%B7%E4%BE%8B%E6%8A%A5%E8%A1%A8.csv"
    )
    body, lines = read_csv(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert lines[0] == ["作风建设简报", "时间", "diaries", "rate", "day", "note", "missing"]
    assert len(lines) == 1 + len(json_rows)
    for line, row in zip(lines[1:], json_rows, strict=True):
        expected = ["" if row[c.key] is None else str(row[c.key]) for c in COLUMNS]
        expected[COLUMNS.index(next(c for c in COLUMNS if c.key == "note"))] = (
            "'" + row["note"] if row["note"].startswith("=") else row["note"]
        )
        assert line == expected


def test_xlsx_has_chinese_headers_and_the_json_figures(api):
    json_rows = api.get("/api/v1/reports/sample/").json()["results"]

    response = api.get("/api/v1/reports/sample/?format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(response)
    assert sheet[0] == ["作风建设简报", "时间", "diaries", "rate", "day", "note", "missing"]
    assert sheet[1] == ["东河村", datetime(2026, 11, 2, 9, 30), 12, 0.75, datetime(2026, 11, 2),
                        "'=HYPERLINK(\"http://x\")", None]
    assert [r[2] for r in sheet[1:]] == [r["diaries"] for r in json_rows]
    assert [r[3] for r in sheet[1:]] == [r["rate"] for r in json_rows]


def test_accept_header_chooses_the_format_too(api):
    csv_response = api.get("/api/v1/reports/sample/", HTTP_ACCEPT="text/csv")
    xlsx_response = api.get(
        "/api/v1/reports/sample/", HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )

    assert read_csv(csv_response)[1][0][0] == "作风建设简报"
    assert read_xlsx(xlsx_response)[0][0] == "作风建设简报"


def test_headers_are_english_when_the_request_asks_for_english(api):
    _body, lines = read_csv(api.get("/api/v1/reports/sample/?format=csv", HTTP_ACCEPT_LANGUAGE="en"))
    sheet = read_xlsx(api.get("/api/v1/reports/sample/?format=xlsx", HTTP_ACCEPT_LANGUAGE="en"))

    assert lines[0][:2] == ["Work-style bulletins", "Time"]
    assert sheet[0][:2] == ["Work-style bulletins", "Time"]


def test_csv_is_streamed_and_keeps_the_requests_language_when_read_later(api):
    consumed.clear()

    response = api.get("/api/v1/reports/sample/?format=csv&lazy=1", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.streaming
    assert consumed == []  # no row has been read before the body is sent
    with translation.override("en"):
        _body, lines = read_csv(response)
    assert consumed == [0, 1]
    assert lines[0][:2] == ["作风建设简报", "时间"]


def test_an_error_in_a_file_format_is_json_and_says_so(api):
    response = api.get("/api/v1/reports/sample/?format=csv&bad=1")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "start: 开始日期格式不正确。"


def test_report_schema_documents_each_field_the_example_and_the_file_forms(db):
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("zh-hans"):
        schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)

    operation = schema["paths"]["/api/v1/reports/sample/"]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/SampleReport"}
    example = next(iter(content["application/json"]["examples"].values()))["value"]
    assert example == {"period": "2026-11", "results": [{
        "village": "东河村", "written": "2026-11-02T09:30:00+08:00", "diaries": 12, "rate": 0.75,
        "day": "2026-11-02", "note": "=HYPERLINK(\"http://x\")", "missing": None}]}
    row = schema["components"]["schemas"]["SampleRow"]["properties"]
    assert row["village"] == {"type": "string", "description": "作风建设简报"}
    assert row["written"] == {"type": "string", "format": "date-time", "description": "时间"}
    assert row["diaries"]["type"] == "integer"
    assert row["rate"] == {"type": "number", "format": "double", "description": "rate"}
    assert row["day"]["format"] == "date"
    assert row["missing"]["nullable"] is True
    assert content["text/csv"]["schema"] == {"type": "string"}
    assert "columns in this order: village, written, diaries, rate, day, note, missing" in operation["description"]
    assert any(p["name"] == "format" for p in operation["parameters"])


def test_report_schema_refuses_an_example_without_every_column():
    with pytest.raises(ValueError, match="no value for \\['rate'\\]"):
        report_schema("Broken", [Column("village", "村"), Column("rate", "率")], {"village": "东河村"})


def test_column_type_overrides_what_the_example_suggests(db):
    from drf_spectacular.generators import SchemaGenerator

    columns = [Column("code", "代码", type="string"), Column("share", "占比", type="number")]

    class Typed(APIView):
        renderer_classes = REPORT_RENDERERS
        permission_classes = [AllowAny]

        @report_schema("Typed", columns, {"code": "2026-11-01", "share": 1})
        def get(self, request: Any) -> Any:
            return report_response(request, filename="typed", columns=columns, rows=[])

    schema = SchemaGenerator(patterns=[path("api/v1/reports/typed/", Typed.as_view())]).get_schema(None, True)

    row = schema["components"]["schemas"]["TypedRow"]["properties"]
    assert row["code"]["type"] == "string" and "format" not in row["code"]
    assert row["share"]["type"] == "number"
