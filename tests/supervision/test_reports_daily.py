"""Reports of the daily loop: diary completeness by village/unit/cadre (per-cadre figures only for
the cadre and their superiors) and matters by village; JSON, CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from supervision.models import Matter
from tests import factories as f
from tests.helpers import api_client, results

PERIOD = "start=2026-11-02&end=2026-11-08"


def cadres_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(row["cadre"] for row in results(response))


def test_reporter_gets_villages_and_units_but_never_cadres(world):
    client = api_client(world.reporter_user)
    villages = client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=village")
    assert villages.status_code == 200
    assert [r["village"] for r in villages.json()["results"]] == ["东河村", "光明路村", "南沟村"]
    assert (villages.json()["start"], villages.json()["by"]) == ("2026-11-02", "village")
    assert client.get(f"/api/v1/reports/diary-completeness/?{PERIOD}&by=unit").status_code == 200
    refused = client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=cadre")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "报表用户只能查看按村、按单位汇总的数据，不能查看干部个人数据。"


def test_per_cadre_figures_follow_the_hierarchy(world):
    url = f"/api/v1/reports/diary-completeness?{PERIOD}&by=cadre"
    assert cadres_in(api_client(world.cadre1.user).get(url)) == ["干部甲"]
    assert cadres_in(api_client(world.unit_head.user).get(url)) == ["干部乙", "干部甲", "站长"]
    assert cadres_in(api_client(world.deputy.user).get(url)) == ["副镇长", "干部乙", "干部甲", "站长"]
    assert cadres_in(api_client(world.inspector.user).get(url)) == ["纪委书记"]
    everyone = cadres_in(api_client(world.secretary.user).get(url))
    assert len(everyone) == 9 and "外镇干部" not in everyone
    assert cadres_in(api_client(world.office.user).get(url)) == everyone


@pytest.mark.parametrize(
    "query",
    ["start=2026-11-31&end=2026-12-01", "start=2026-11-08&end=2026-11-01", "end=2026-11-01", "by=household&" + PERIOD],
)
def test_bad_parameters_are_a_chinese_400(world, query):
    response = api_client(world.secretary.user).get(f"/api/v1/reports/diary-completeness?{query}")
    assert response.status_code == 400
    assert any(word in response.json()["detail"] for word in ("日期", "必填", "合法")), response.json()


def test_csv_and_xlsx(world):
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 2))
    client = api_client(world.secretary.user)
    csv = client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=unit&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("镇 id,镇,单位 id,单位,干部数,应写天数,已写天数")
    assert ",农业服务中心,3,15,1,1," in text
    xlsx = client.get(f"/api/v1/reports/diary-completeness?{PERIOD}&by=village&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[1]][:5] == ["镇 id", "镇", "村 id", "村", "干部数"]
    assert sheet.max_row == 4


def test_matters_report_counts_by_village(world):
    today = timezone.localdate()
    start = (today - dt.timedelta(days=7)).isoformat()
    f.MatterFactory(village=world.v1, status="in_progress", deadline=today - dt.timedelta(days=1))
    f.MatterFactory(village=world.v1, status="closed", closed_at=timezone.now(), satisfaction="satisfied",
                    revisited_at=timezone.now(), resolved_at=timezone.now())
    old = f.MatterFactory(village=world.v2, status="registered")
    Matter.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    f.MatterFactory(village=world.v_other, status="registered")
    response = api_client(world.reporter_user).get(f"/api/v1/reports/matters?start={start}&end={today.isoformat()}")
    assert response.status_code == 200
    rows = {r["village"]: r for r in response.json()["results"]}
    assert set(rows) == {"东河村", "光明路村", "南沟村"}
    assert {k: rows["东河村"][k] for k in ("raised", "resolved", "closed", "satisfied", "open", "overdue")} == {
        "raised": 2, "resolved": 1, "closed": 1, "satisfied": 1, "open": 1, "overdue": 1}
    assert (rows["光明路村"]["raised"], rows["光明路村"]["open"]) == (0, 1)


def test_matters_report_follows_scope(world):
    f.MatterFactory(village=world.v3, status="registered", raised_by=world.cadre3)
    today = timezone.localdate().isoformat()
    rows = api_client(world.cadre1.user).get(f"/api/v1/reports/matters?start={today}&end={today}").json()["results"]
    assert sum(r["raised"] for r in rows) == 0


def test_reports_need_a_log_in(db):
    assert api_client().get(f"/api/v1/reports/matters?{PERIOD}").status_code in (401, 403)
