"""County reports (issue #21): by=township for county callers, and a township on every row that
names a village, unit or cadre (county-wide, village names repeat)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f
from tests.helpers import api_client, assert_same_queries, results

PERIOD = "start=2026-11-02&end=2026-11-08"


@pytest.fixture
def county_user(db):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=user, township=None)
    return user


def test_county_gets_one_row_per_township(world, county_user):
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    response = api_client(county_user).get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=township")
    assert response.status_code == 200
    rows = results(response)
    assert [(r["township"], r["township_name"]) for r in rows] == [
        (world.township.pk, "东河镇"), (world.other_township.pk, "西山镇")]
    assert rows[0]["written"] == 1 and rows[1]["written"] == 0
    assert "village" not in rows[0] and "cadre" not in rows[0]


def test_township_rows_are_for_the_county_only(world):
    for user in (world.reporter_user, world.secretary.user, world.office.user):
        response = api_client(user).get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=township")
        assert response.status_code == 400
        assert response.json()["detail"] == "by: 按镇汇总仅供县级用户使用。"


def test_same_village_name_in_two_townships_is_told_apart(world, county_user):
    f.VillageFactory(township=world.other_township, name="东河村", code="V901")
    client = api_client(county_user)
    rows = results(client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=village"))
    named = sorted((r["township_name"], r["township"]) for r in rows if r["village"] == "东河村")
    assert named == [("东河镇", world.township.pk), ("西山镇", world.other_township.pk)]
    matters = results(client.get(f"/api/v1/reports/matters?{PERIOD}"))
    assert {(r["township_name"], r["village"]) for r in matters} >= {("东河镇", "东河村"), ("西山镇", "东河村")}
    units = results(client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=unit"))
    assert all("township_name" in r for r in units)
    assert {r["township_name"] for r in units if r["unit"] == "农业服务中心"} == {"东河镇"}


def test_township_column_in_the_csv(world, county_user):
    response = api_client(county_user).get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=village&format=csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("镇 id,镇,村 id,村,")
    assert lines[1].split(",")[1] == "东河镇"


def test_township_report_costs_the_same_for_more_townships(world, county_user):
    client = api_client(county_user)

    def fetch():  # type: ignore[no-untyped-def]
        return client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=township")

    def grow() -> None:
        for n in range(3):
            township = f.TownshipFactory(name=f"新镇{n}", code=f"62010{n}")
            f.CadreFactory(township=township)

    first, second = assert_same_queries(fetch, grow, warm=True)
    assert len(results(second)) == len(results(first)) + 3


def test_county_summary_workbook_has_one_sheet_per_report(world, county_user):
    import io

    from openpyxl import load_workbook

    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    response = api_client(county_user).get(f"/api/v1/county-summary/?{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:3] == ["日记完成率（按镇）", "日记完成率（按村）", "事项（按村）"]
    assert len(book.sheetnames) == 5
    townships = [[c.value for c in row] for row in book["日记完成率（按镇）"].iter_rows()]
    assert townships[0][:2] == ["镇 id", "镇"]
    assert [row[1] for row in townships[1:]] == ["东河镇", "西山镇"]
    villages = [[c.value for c in row] for row in book["日记完成率（按村）"].iter_rows()]
    assert {row[1] for row in villages[1:]} == {"东河镇", "西山镇"}


def test_county_summary_is_for_the_county_only(world):
    for user in (world.reporter_user, world.secretary.user):
        response = api_client(user).get(f"/api/v1/county-summary/?{PERIOD}")
        assert response.status_code == 403
        assert response.json()["detail"] == "县级汇总表仅供县级用户下载。"
