"""Posting disclosures, who sees them and their checks, the calendar, the reports, the command."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image
from rest_framework.test import APIClient

from cadres.roles import SYSTEM, actor_for
from core.errors import NotAllowed
from supervision.models import Disclosure, DisclosureCheck, DisclosureRequirement
from supervision.services.disclosures import disclosure_check_run, disclosure_create
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
ROOT = Path(__file__).resolve().parents[2]


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()


def requirement(category="村务工作计划及落实情况"):
    return DisclosureRequirement.objects.get(township__isnull=True, category=category)


def valid(world, **overrides):
    data = {"actor": actor_for(world.village1.user), "village": world.v1, "requirement": requirement(), "title": "三季度村务公开",
            "content": "道路硬化、温室改造情况", "period_start": D(2026, 7, 1), "period_end": D(2026, 9, 30),
            "posted_on": f.today()}  # within the back-dating grace whatever day the suite runs
    data.update(overrides)
    return data


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- posting ---------------------------------------------------------------------------------------


def test_a_village_cadre_posts_for_their_village(world):
    disclosure = disclosure_create(**valid(world))
    assert (disclosure.village, disclosure.domain, disclosure.category, disclosure.posted_by, disclosure.display_days) == (
        world.v1, "village_affairs", "村务工作计划及落实情况", world.village1, 10)
    assert disclosure.township == world.township


@pytest.mark.parametrize("who", ["cadre1", "secretary", "deputy", "outsider"])
def test_others_cannot_post_for_a_village(world, who):
    with pytest.raises(NotAllowed):
        disclosure_create(**valid(world, actor=actor_for(world.users[who])))
    assert not Disclosure.objects.exists()


def test_the_office_posts_for_any_village_of_its_township(world):
    assert disclosure_create(**valid(world, actor=actor_for(world.office.user), village=world.v3)).village == world.v3
    with pytest.raises(NotAllowed):
        disclosure_create(**valid(world, actor=actor_for(world.office.user), village=world.v_other))


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"period_end": D(2026, 6, 30)}, "period_end", "结束日期不能早于开始日期"),
    ({"posted_on": D(2099, 1, 1)}, "posted_on", "公开日期不能晚于今天"),
    ({"display_days": 5}, "display_days", "公示时间不得少于10天"),
    ({"title": "  "}, "title", "请填写标题"),
    ({"content": "长" * 20001}, "content", "公开内容不能超过20000字"),
    ({"requirement": None, "domain": "", "category": ""}, "domain", "请选择公开领域"),
    ({"requirement": None, "domain": "finance", "category": ""}, "category", "请填写公开类别"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(world, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        disclosure_create(**valid(world, **overrides))
    assert any(message in m for m in caught.value.message_dict[field])
    assert not Disclosure.objects.exists()


def test_a_major_matter_needs_its_decision_date(world):
    major = requirement("重大事项（一事一议、工程项目）")
    with pytest.raises(ValidationError) as caught:
        disclosure_create(**valid(world, requirement=major))
    assert "决定日期" in caught.value.message_dict["decision_date"][0]
    assert disclosure_create(**valid(world, requirement=major, decision_date=D(2026, 10, 8))).decision_date


def test_the_board_photo_must_be_an_image_and_is_served_only_within_scope(world, client):
    with pytest.raises(ValidationError) as caught:
        disclosure_create(**valid(world, photo=SimpleUploadedFile("board.jpg", b"%PDF-1.4 not an image")))
    assert "文件类型不符" in caught.value.message_dict["photo"][0]
    assert not Disclosure.objects.exists()

    client.force_login(world.village1.user)
    response = client.post("/disclosures/new/", {
        "village": world.v1.pk, "requirement": requirement().pk, "title": "三季度公开", "content": "内容",
        "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": f.today().isoformat(), "channel": "board",
        "display_days": 15, "photo": SimpleUploadedFile("公开栏.png", png(), content_type="image/png"),
    })
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/disclosures/{disclosure.pk}/"
    served = client.get(f"/disclosures/{disclosure.pk}/photo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"  # re-encoded, metadata gone
    client.force_login(world.cadre2.user)
    assert client.get(f"/disclosures/{disclosure.pk}/photo/").status_code == 404


def test_the_form_keeps_what_was_typed_and_shows_errors_in_chinese(world, client):
    client.force_login(world.village1.user)
    response = client.post("/disclosures/new/", {
        "village": world.v1.pk, "requirement": requirement().pk, "title": "我的标题", "content": "内容",
        "period_start": "2026-09-30", "period_end": "2026-07-01", "posted_on": f.today().isoformat(), "channel": "board",
        "display_days": 10})
    assert response.status_code == 400
    page = response.content.decode()
    assert "结束日期不能早于开始日期" in page and 'value="我的标题"' in page
    assert not Disclosure.objects.exists()


def test_the_api_creates_for_ones_own_village_only(world):
    body = {"village": world.v1.pk, "requirement": requirement().pk, "title": "公开", "content": "内容",
            "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": f.today().isoformat()}
    created = api_for(world.village1.user).post("/api/v1/disclosures/", body, format="json")
    assert created.status_code == 201
    assert (created.json()["domain"], created.json()["domain_display"]) == ("village_affairs", "村务")
    assert api_for(world.village1.user).post("/api/v1/disclosures/", {**body, "village": world.v2.pk},
                                             format="json").status_code == 403
    other = api_for(world.village1.user).post("/api/v1/disclosures/", {**body, "village": world.v_other.pk},
                                              format="json")
    assert other.status_code == 400 and other.json()["detail"] == "village: 所选村不存在。"
    bad = api_for(world.village1.user).post("/api/v1/disclosures/", {**body, "display_days": 3}, format="json")
    assert bad.status_code == 400 and "公示时间不得少于10天" in bad.json()["errors"]["display_days"][0]
    assert Disclosure.objects.count() == 1


# --- scope -----------------------------------------------------------------------------------------


SEES = {
    "secretary": {"v1", "v2", "v3"}, "head": {"v1", "v2", "v3"}, "office": {"v1", "v2", "v3"},
    "inspector": {"v1", "v2", "v3"}, "reporter": {"v1", "v2", "v3"},
    "deputy": {"v1"},  # leads 东河村
    "cadre1": {"v1"}, "cadre2": {"v2"}, "cadre3": {"v3"}, "village1": {"v1"},
    "unit_head": set(), "outsider": set(),
}


@pytest.fixture
def posted(world):
    world.d = {}
    for name in ("v1", "v2", "v3", "v_other"):
        village = getattr(world, name)
        world.d[name] = f.DisclosureFactory(village=village, township=village.township)
    disclosure_check_run(year=2026, quarter=3, today=D(2026, 10, 25), actor=SYSTEM)
    world.c = {name: DisclosureCheck.objects.get(village=getattr(world, name)) for name in world.d}
    return world


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_role_sees_exactly_its_villages_disclosures_and_checks(posted, client, who):
    api = api_for(posted.users[who])
    disclosures = {r["village"] for r in api.get("/api/v1/disclosures/").json()["results"]}
    checks = {r["village"] for r in api.get("/api/v1/disclosure-checks/").json()["results"]}
    expected = {getattr(posted, v).pk for v in SEES[who]}
    assert disclosures == expected
    assert checks == expected
    client.force_login(posted.users[who])
    for name in ("v1", "v2", "v3", "v_other"):
        code = 200 if name in SEES[who] else 404
        assert api.get(f"/api/v1/disclosures/{posted.d[name].pk}/").status_code == code
        assert api.get(f"/api/v1/disclosure-checks/{posted.c[name].pk}/").status_code == code
        assert client.get(f"/disclosures/{posted.d[name].pk}/").status_code == code
        assert client.get(f"/disclosures/checks/{posted.c[name].pk}/").status_code == code


def test_checks_filter_by_quarter_and_village_and_refuse_a_bad_quarter(posted):
    api = api_for(posted.office.user)
    rows = api.get("/api/v1/disclosure-checks/", {"quarter": "2026Q3", "village": posted.v2.pk}).json()["results"]
    assert [(r["village"], r["period"], r["missing_count"]) for r in rows] == [(posted.v2.pk, "2026Q3", 7)]
    assert api.get("/api/v1/disclosure-checks/", {"quarter": "2026Q2"}).json()["results"] == []
    bad = api.get("/api/v1/disclosure-checks/", {"quarter": "2026Q7"})
    assert bad.status_code == 400 and "2026Q3" in bad.json()["detail"]
    detail = api.get(f"/api/v1/disclosure-checks/{posted.c['v1'].pk}/").json()
    assert {i["result"] for i in detail["items"]} == {"on_time", "missing"}


def test_the_office_adjusts_an_item_from_the_check_page_and_others_cannot(posted, client):
    item = posted.c["v2"].items.filter(result="missing").first()
    client.force_login(posted.secretary.user)
    client.post(f"/disclosures/checks/items/{item.pk}/adjust/", {"result": "on_time", "reason": "已补看公开栏"})
    item.refresh_from_db()
    assert (item.result, item.adjusted) == ("missing", False)
    client.force_login(posted.office.user)
    client.post(f"/disclosures/checks/items/{item.pk}/adjust/", {"result": "on_time", "reason": "已补看公开栏"})
    item.refresh_from_db()
    assert (item.result, item.adjust_reason) == ("on_time", "已补看公开栏")
    page = client.get(f"/disclosures/checks/{posted.c['v2'].pk}/").content.decode()
    assert "党政办调整（原汇总结果：未公开）：已补看公开栏" in page


def test_the_office_sees_the_calendar_and_the_gaps(posted, client):
    client.force_login(posted.office.user)
    page = client.get("/disclosures/?year=2026&quarter=2026Q3").content.decode()
    assert "2026年公开检查日历" in page
    assert page.count('class="cell missing"') >= 2  # 光明路村 and 南沟村 have gaps in Q3
    assert "2026年第三季度缺项与逾期" in page
    assert "光明路村" in page and "西山村" not in page


def test_a_village_cadre_sees_postings_and_results_of_their_village(posted, client):
    client.force_login(posted.village1.user)
    page = client.get("/disclosures/").content.decode()
    assert "登记公开事项" in page and "检查结果" in page
    assert f"/disclosures/{posted.d['v1'].pk}/" in page and f"/disclosures/{posted.d['v2'].pk}/" not in page
    assert "日历" not in page


def test_a_malformed_quarter_on_the_page_is_a_message_not_an_error(posted, client):
    client.force_login(posted.office.user)
    response = client.get("/disclosures/?quarter=2026Q9")
    assert response.status_code == 200
    assert "季度格式不正确" in response.content.decode()


# --- reports ----------------------------------------------------------------------------------------


def test_the_disclosure_report_by_village_and_a_bad_quarter(posted):
    api = api_for(posted.reporter_user)
    report = api.get("/api/v1/reports/disclosure", {"quarter": "2026Q3"})
    assert report.status_code == 200
    assert [(r["village"], r["missing"]) for r in report.json()["results"]] == [("东河村", 7), ("光明路村", 7),
                                                                                ("南沟村", 7)]
    assert report.json()["summary"]["villages_with_gaps"] == 3
    bad = api.get("/api/v1/reports/disclosure", {"quarter": "2026Q7"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "quarter: 季度格式不正确：“2026Q7”。请写成年份加季度，例如 2026Q3（季度为 Q1 至 Q4）。"
    csv = api.get("/api/v1/reports/disclosure", {"quarter": "2026Q3", "format": "csv"})
    assert csv.status_code == 200
    assert "光明路村" in b"".join(csv.streaming_content).decode("utf-8-sig")


def test_the_pledge_report_keeps_per_cadre_pledges_from_the_reporter(world):
    from supervision.services import pledges as svc

    svc.pledge_issue_from_template(template=f.pledge_template(world.township, "village"), pledgers=[world.v1],
                                   actor=actor_for(world.office.user))
    svc.pledge_issue_from_template(template=f.pledge_template(world.township, "staff"), pledgers=[world.cadre1],
                                   actor=actor_for(world.office.user))
    office = api_for(world.office.user).get("/api/v1/reports/pledges", {"year": 2026}).json()
    reporter = api_for(world.reporter_user).get("/api/v1/reports/pledges", {"year": 2026}).json()
    assert sorted(r["pledger"] for r in office["results"]) == ["东河村", "干部甲"]
    assert [r["pledger"] for r in reporter["results"]] == ["东河村"]
    assert reporter["summary"] == [{"level": "village", "level_display": "村→政府", "total": 1, "draft": 0,
                                    "issued": 1, "signed": 0, "countersigned": 0, "assessed": 0,
                                    "average_score": None}]
    bad = api_for(world.office.user).get("/api/v1/reports/pledges", {"year": "20x6"})
    assert bad.status_code == 400 and "年度" in bad.json()["detail"]


# --- the command --------------------------------------------------------------------------------------


def test_the_command_prints_a_summary_and_is_idempotent(posted):
    out = io.StringIO()
    call_command("run_disclosure_check", "--quarter", "2026Q3", "--township", posted.township.code, stdout=out)
    text = out.getvalue()
    assert "2026年第三季度 村务公开检查：1个乡镇、3个村" in text
    assert "新建检查0条、更新0条" in text  # the fixture already ran it: nothing changes


def test_the_command_refuses_a_bad_quarter_or_township(db):
    with pytest.raises(CommandError, match="季度格式不正确"):
        call_command("run_disclosure_check", "--quarter", "2026Q7")
    with pytest.raises(CommandError, match="没有代码为 999 的乡镇"):
        call_command("run_disclosure_check", "--quarter", "2026Q3", "--township", "999")


def test_a_bad_quarter_exits_non_zero_without_a_traceback():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    result = subprocess.run([sys.executable, "manage.py", "run_disclosure_check", "--quarter", "2026Q7"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "季度格式不正确" in result.stderr
    assert "Traceback" not in result.stderr


# --- query counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_lists_cost_the_same_at_1_and_50_rows(world, client, django_assert_num_queries, rows):
    villages = [world.v1] + [f.VillageFactory(township=world.township) for _ in range(rows - 1)]
    for village in villages:
        f.DisclosureFactory(village=village, township=world.township)
    disclosure_check_run(year=2026, quarter=3, township=world.township, today=D(2026, 10, 25), actor=SYSTEM)
    DisclosureCheck.objects.exclude(village__in=villages).delete()
    api = APIClient()
    api.force_login(world.office.user)
    with django_assert_num_queries(6):
        assert len(api.get("/api/v1/disclosures/").json()["results"]) == rows
    with django_assert_num_queries(7):
        assert len(api.get("/api/v1/disclosure-checks/").json()["results"]) == rows
    client.force_login(world.office.user)
    with django_assert_num_queries(12):  # the calendar, the gaps and the checks of the last quarter
        assert client.get("/disclosures/").status_code == 200
    client.force_login(world.village1.user)
    with django_assert_num_queries(11):
        assert client.get("/disclosures/").status_code == 200
