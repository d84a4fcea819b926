"""The `bulletins` API: list, detail, downloads, approve/publish, scope and the schema."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from bulletins.models import Bulletin
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish
from cadres.roles import SYSTEM, actor_for
from tests.helpers import api_client, assert_num_queries

from .conftest import END, START


def draft(o) -> Bulletin:  # type: ignore[no-untyped-def]
    return bulletin_compile(township=o.world.township, start=START, end=END, actor=SYSTEM)


def published(o) -> Bulletin:  # type: ignore[no-untyped-def]
    b = draft(o)
    bulletin_approve(bulletin=b, actor=actor_for(o.world.secretary.user))
    return bulletin_publish(bulletin=b, actor=actor_for(o.world.office.user), today=dt.date(2026, 11, 3))


def test_detail_has_the_contract_fields_and_figures(october):
    p = published(october)

    body = api_client(october.world.reporter_user).get(f"/api/v1/bulletins/{p.pk}/").json()

    assert {k: body[k] for k in ("id", "year", "number", "status", "status_display", "period_start", "period_end")} == {
        "id": p.pk, "year": 2026, "number": 1, "status": "published", "status_display": "已发布",
        "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert body["cumulative_number"] == 1 and body["issue_date"] == "2026-11-03"
    assert body["figures"]["diaries"]["written"] == 4
    assert body["problems"][0]["kind"] == "inspection_findings"
    assert body["model_figures"] == [{"id": october.figure.pk, "title": "扎根一线解民忧", "name": "干部甲",
                                      "place": "农业服务中心", "story": "每天入户走访，两周内修好水渠。"}]


def test_list_is_scoped_and_filters_by_year_and_status(october):
    w = october.world
    d = draft(october)
    sept = bulletin_compile(township=w.township, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), actor=SYSTEM)
    bulletin_approve(bulletin=sept, actor=actor_for(w.secretary.user))
    sept = bulletin_publish(bulletin=sept, actor=actor_for(w.office.user))

    def ids(user, **params) -> list[int]:  # type: ignore[no-untyped-def]
        return [r["id"] for r in api_client(user).get("/api/v1/bulletins/", params).json()["results"]]

    assert ids(w.office.user) == [d.pk, sept.pk]
    assert ids(w.inspector.user) == [d.pk, sept.pk]
    assert ids(w.cadre1.user) == [sept.pk]
    assert ids(w.reporter_user) == [sept.pk]
    assert ids(w.outsider.user) == []
    assert ids(w.office.user, status="draft") == [d.pk]
    assert ids(w.office.user, year=2025) == []
    bad = api_client(w.office.user).get("/api/v1/bulletins/", {"status": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_anonymous_gets_401(db):
    assert api_client().get("/api/v1/bulletins/").status_code == 401


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_is_constant(world, count):
    w = world
    Bulletin.objects.bulk_create([
        Bulletin(township=w.township, year=2020 + i // 12, status="draft",
                 period_start=dt.date(2020 + i // 12, i % 12 + 1, 1), period_end=dt.date(2020 + i // 12, i % 12 + 1, 28))
        for i in range(count)
    ])
    client = api_client(w.office.user)
    with assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/bulletins/")
    assert len(response.json()["results"]) == count


LIST_QUERIES = 5


def test_approve_and_publish_answer_200_with_the_updated_object(october, django_capture_on_commit_callbacks):
    w = october.world
    d = draft(october)

    approved = api_client(w.secretary.user).post(f"/api/v1/bulletins/{d.pk}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["status_display"]) == ("approved", "已审核")

    with django_capture_on_commit_callbacks(execute=True):
        done = api_client(w.office.user).post(f"/api/v1/bulletins/{d.pk}/publish/", {}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["number"], done.json()["cumulative_number"]) == ("published", 1, 1)
    assert w.cadre2.user.notifications.filter(kind="bulletin_published").count() == 1


def test_illegal_transition_is_400_with_the_reason(october):
    d = draft(october)

    response = api_client(october.world.office.user).post(f"/api/v1/bulletins/{d.pk}/publish/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "简报须经镇领导审核后才能发布。"
    d.refresh_from_db()
    assert (d.status, d.number) == ("draft", None)


@pytest.mark.parametrize("who, action, status", [
    ("office", "approve", 403), ("inspector", "approve", 403), ("inspector", "publish", 403),
    ("cadre1", "approve", 404), ("reporter", "publish", 404), ("outsider", "approve", 404),
])
def test_refused_actions_change_nothing(october, who, action, status):
    w = october.world
    d = draft(october)
    if action == "publish":
        bulletin_approve(bulletin=d, actor=actor_for(w.secretary.user))
    before = Bulletin.objects.get(pk=d.pk)

    response = api_client(w.users[who]).post(f"/api/v1/bulletins/{d.pk}/{action}/", {}, format="json")

    assert response.status_code == status
    assert set(response.json()) == {"detail", "code", "errors"}
    after = Bulletin.objects.get(pk=d.pk)
    assert (after.status, after.number, after.approved_at) == (before.status, before.number, before.approved_at)


def test_downloads_over_the_api(october):
    p = published(october)
    client = api_client(october.world.cadre1.user)

    pdf = client.get(f"/api/v1/bulletins/{p.pk}/pdf/")
    xlsx = client.get(f"/api/v1/bulletins/{p.pk}/xlsx/")
    docx = client.get(f"/api/v1/bulletins/{p.pk}/docx/")
    pdf_by_accept = client.get(f"/api/v1/bulletins/{p.pk}/pdf/", HTTP_ACCEPT="application/pdf")

    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf") and pdf.content.startswith(b"%PDF")
    assert pdf_by_accept.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "概况"
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "作风建设简报"


def test_draft_downloads_refused_for_inspector_and_hidden_from_cadres(october):
    w = october.world
    d = draft(october)

    refused = api_client(w.inspector.user).get(f"/api/v1/bulletins/{d.pk}/pdf/")
    assert refused.status_code == 403 and refused.json()["detail"] == "草稿只有党政办和镇领导可以下载。"
    assert api_client(w.cadre1.user).get(f"/api/v1/bulletins/{d.pk}/xlsx/").status_code == 404
    assert api_client(w.secretary.user).get(f"/api/v1/bulletins/{d.pk}/docx/").status_code == 200


def test_pdf_without_a_chinese_font_is_503_with_a_message(october, monkeypatch):
    p = published(october)
    monkeypatch.setattr("core.checks.cjk_font_available", lambda: False)

    response = api_client(october.world.cadre1.user).get(f"/api/v1/bulletins/{p.pk}/pdf/")

    assert response.status_code == 503
    assert "没有安装中文字体" in response.json()["detail"]


def test_schema_describes_binary_downloads_and_actions(db):
    schema = api_client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    pdf = schema["paths"]["/api/v1/bulletins/{id}/pdf/"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    docx = schema["paths"]["/api/v1/bulletins/{id}/docx/"]["get"]["responses"]["200"]["content"]
    assert list(docx) == ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    publish = schema["paths"]["/api/v1/bulletins/{id}/publish/"]["post"]
    assert publish["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/BulletinDetail")
    assert "BulletinStatusEnum" in schema["components"]["schemas"]
