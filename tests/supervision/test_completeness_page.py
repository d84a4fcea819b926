"""The completeness page (/reports/completeness/): who sees whose line, missing and excused days,
bad periods, exports, no ranking, a pinned query count."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from cadres.models import CalendarDay, ExcusedAbsence
from tests import factories as f
from tests.helpers import assert_same_queries, page_client

PERIOD = {"start": "2026-11-02", "end": "2026-11-08"}  # Monday … Sunday


@pytest.fixture
def week(world):  # type: ignore[no-untyped-def]
    """Workdays Mon 2, Tue 3, Thu 5, Fri 6 and the make-up Saturday 7 (Wed 4 a township holiday).
    cadre1 is excused on Thu 5 and writes Mon; cadre2 writes every workday; cadre3 (another unit)
    writes nothing; the outsider (another township) writes nothing."""
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 11, 4), is_workday=False, name="镇休")
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 11, 7), is_workday=True, name="调休")
    ExcusedAbsence.objects.create(cadre=world.cadre1, start=dt.date(2026, 11, 5), end=dt.date(2026, 11, 5))
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    for day in (2, 3, 5, 6, 7):
        f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 11, day))
    return world



def _names(response):  # type: ignore[no-untyped-def]
    return [line.cadre for line in response.context["lines"]]


def test_unit_head_sees_their_units_cadres_only_with_missing_and_excused_days(week):
    response = page_client(week.unit_head.user).get("/reports/completeness/", PERIOD)
    assert response.status_code == 200
    assert _names(response) == ["干部乙", "干部甲", "站长"]
    lines = {line.cadre: line for line in response.context["lines"]}
    assert lines["干部甲"].missing_days == [dt.date(2026, 11, 3), dt.date(2026, 11, 6), dt.date(2026, 11, 7)]
    assert lines["干部甲"].excused_days == [dt.date(2026, 11, 5)]
    assert lines["干部乙"].missing_days == []
    body = response.content.decode()
    assert "11月3日" in body and "免写（请假等）" in body
    assert "干部丙" not in body and "外镇干部" not in body
    assert "by" not in response.context["form"].fields  # no groupings for a unit head


def test_leader_in_charge_sees_the_units_they_supervise(week):
    names = _names(page_client(week.deputy.user).get("/reports/completeness/", PERIOD))
    assert names == ["干部乙", "干部甲", "站长", "副镇长"]


def test_a_cadre_sees_only_their_own_line(week):
    response = page_client(week.cadre1.user).get("/reports/completeness/", PERIOD)
    assert _names(response) == ["干部甲"]


def test_another_townships_office_sees_nothing_of_this_township(week):
    outsider_office = f.CadreFactory(township=week.other_township, name="外镇党政办", user__username="o2",
                                     user__groups=["office"])
    response = page_client(outsider_office.user).get("/reports/completeness/", PERIOD)
    assert "干部甲" not in response.content.decode()
    assert set(_names(response)) <= {"外镇干部", "外镇党政办"}


def test_the_office_sees_every_cadre_sorted_by_unit_and_name_not_by_rate(week):
    response = page_client(week.office.user).get("/reports/completeness/", {**PERIOD, "by": "cadre"})
    lines = response.context["lines"]
    assert [line.unit for line in lines] == sorted(line.unit for line in lines if line.unit) + [""] * sum(
        1 for line in lines if not line.unit)
    rates = [line.completeness for line in lines if line.unit == "农业服务中心"]
    assert rates == [100.0, 25.0, 0.0]  # by name (干部乙, 干部甲, 站长), not best or worst first
    assert "外镇干部" not in _names(response)


def test_the_office_sees_the_units_and_villages(week):
    units = page_client(week.office.user).get("/reports/completeness/", {**PERIOD, "by": "unit"}).context["groups"]
    assert {row["unit"]: row["written"] for row in units}["农业服务中心"] == 6
    villages = page_client(week.office.user).get("/reports/completeness/", {**PERIOD, "by": "village"})
    assert [row["village"] for row in villages.context["groups"]] == ["东河村", "光明路村", "南沟村"]


def test_a_cadre_asking_for_a_grouping_still_gets_their_own_line(week):
    response = page_client(week.cadre1.user).get("/reports/completeness/", {**PERIOD, "by": "village"})
    assert _names(response) == ["干部甲"] and response.context["groups"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-11-08"}, "请输入有效的起始日期"),
        ({"start": "2026-11-08", "end": "2026-11-01"}, "截止日期不能早于起始日期"),
        ({"start": "2024-01-01", "end": "2026-11-01"}, "统计期间最长一年"),
        ({"start": "", "end": "2026-11-01"}, "请填写起始日期"),
    ],
)
def test_bad_periods_give_a_clear_message(week, params, message):
    response = page_client(week.office.user).get("/reports/completeness/", params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["lines"] == []
    export = page_client(week.office.user).get("/reports/completeness/", {**params, "format": "csv"})
    assert export["Content-Type"].startswith("text/html")


def test_without_a_period_the_page_shows_this_month(week):
    response = page_client(week.cadre1.user).get("/reports/completeness/")
    assert response.status_code == 200
    assert response.context["form"].is_valid()


def test_xlsx_export_reads_back_with_the_unit_heads_lines_only(week):
    response = page_client(week.unit_head.user).get("/reports/completeness/", {**PERIOD, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "干部")
    assert [r[1] for r in rows[1:]] == ["干部乙", "干部甲", "站长"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["干部甲"][-2] == "2026-11-03 2026-11-06 2026-11-07"
    assert by_name["干部甲"][-1] == "2026-11-05"


def test_csv_export_escapes_formula_cells(week):
    week.cadre1.name = "=HYPERLINK(\"x\")"
    week.cadre1.save()
    response = page_client(week.cadre1.user).get("/reports/completeness/", {**PERIOD, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'=HYPERLINK(\"x\")"


def test_query_count_stays_the_same_with_more_cadres(week):
    client = page_client(week.office.user)

    def grow() -> None:
        for n in range(5):
            cadre = f.CadreFactory(township=week.township, name=f"新干部{n}", unit=week.unit2)
            f.DiaryFactory(author=cadre, village=week.v3, date=dt.date(2026, 11, 3))
            ExcusedAbsence.objects.create(cadre=cadre, start=dt.date(2026, 11, 6), end=dt.date(2026, 11, 6))

    assert_same_queries(lambda: client.get("/reports/completeness/", PERIOD), grow, expected=14)
