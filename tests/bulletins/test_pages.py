"""The bulletin pages: archive and search, the page, editing, approval, publication, downloads,
starting a compile and following its progress — and who may do each."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletins.models import Bulletin
from bulletins.services import bulletin_approve, bulletin_compile, bulletin_publish
from cadres.roles import SYSTEM, actor_for
from core.models import JobRun
from tests.helpers import assert_num_queries, page_client

from .conftest import END, START


def draft(o) -> Bulletin:  # type: ignore[no-untyped-def]
    return bulletin_compile(township=o.world.township, start=START, end=END, actor=SYSTEM)


def publish(w, start: dt.date, end: dt.date) -> Bulletin:  # type: ignore[no-untyped-def]
    b = bulletin_compile(township=w.township, start=start, end=end, actor=SYSTEM)
    bulletin_approve(bulletin=b, actor=actor_for(w.secretary.user))
    return bulletin_publish(bulletin=b, actor=actor_for(w.office.user))


# --- archive -------------------------------------------------------------------------------------


def test_archive_shows_drafts_to_the_office_and_only_published_to_cadres(october):
    w = october.world
    d = draft(october)
    p = publish(w, dt.date(2026, 9, 1), dt.date(2026, 9, 30))

    office_page = page_client(w.office.user).get("/bulletins/").content.decode()
    assert f"/bulletins/{d.pk}/" in office_page and f"/bulletins/{p.pk}/" in office_page
    assert "开始汇总" in office_page

    cadre_page = page_client(w.cadre1.user).get("/bulletins/").content.decode()
    assert f"/bulletins/{p.pk}/" in cadre_page and f"/bulletins/{d.pk}/" not in cadre_page
    assert "开始汇总" not in cadre_page

    outsider_page = page_client(w.outsider.user).get("/bulletins/").content.decode()
    assert f"/bulletins/{p.pk}/" not in outsider_page


def test_archive_search_by_text_and_year(world, client):
    w = world
    sept = publish(w, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    old = publish(w, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    Bulletin.objects.filter(pk=sept.pk).update(outlook="重点推进日光温室建设")
    client.force_login(w.cadre1.user)

    by_text = client.get("/bulletins/", {"q": "日光温室"}).content.decode()
    by_year = client.get("/bulletins/", {"q": "2025"}).content.decode()
    by_select = client.get("/bulletins/", {"year": "2026"}).content.decode()

    assert f"/bulletins/{sept.pk}/" in by_text and f"/bulletins/{old.pk}/" not in by_text
    assert f"/bulletins/{old.pk}/" in by_year and f"/bulletins/{sept.pk}/" not in by_year
    assert f"/bulletins/{sept.pk}/" in by_select and f"/bulletins/{old.pk}/" not in by_select


def test_archive_requires_login(client, db):
    response = client.get("/bulletins/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [1, 50])
def test_archive_query_count_is_constant(world, client, count):
    w = world
    Bulletin.objects.bulk_create([
        Bulletin(township=w.township, year=2020 + i // 12, number=i + 1, status="published",
                 period_start=dt.date(2020 + i // 12, i % 12 + 1, 1), period_end=dt.date(2020 + i // 12, i % 12 + 1, 28),
                 issue_date=dt.date(2026, 1, 1))
        for i in range(count)
    ])
    client.force_login(w.office.user)
    with assert_num_queries(ARCHIVE_QUERIES):
        response = client.get("/bulletins/")
    assert response.status_code == 200


ARCHIVE_QUERIES = 9


# --- the page --------------------------------------------------------------------------------------


def test_page_shows_the_bulletin_in_its_layout(october):
    w = october.world
    p = publish(w, START, END)

    html = page_client(w.village1.user).get(f"/bulletins/{p.pk}/").content.decode()

    assert "作风建设简报" in html and "2026年第1期（总第1期）" in html
    assert "东河镇党政办编印" in html
    assert "<svg" in html and "民情日记反映情况分类（篇）" in html
    assert "扎根一线解民忧" in html and "台账材料重复填报" in html
    assert "报：县委、县政府，县纪委监委" in html
    assert 'style="' not in html.split("<article", 1)[1]  # strict CSP: no inline styles
    assert "下载 PDF" in html and f"/bulletins/{p.pk}/edit/" not in html and "修改记录" not in html


def test_drafts_are_404_for_cadres_reporter_and_outsiders_and_visible_to_inspector(october):
    w = october.world
    d = draft(october)

    for who in ("cadre1", "village1", "reporter", "outsider", "unit_head"):
        assert page_client(w.users[who]).get(f"/bulletins/{d.pk}/").status_code == 404, who
    html = page_client(w.inspector.user).get(f"/bulletins/{d.pk}/").content.decode()
    assert "草稿" in html and "下载 PDF" not in html and f"/bulletins/{d.pk}/edit/" not in html
    assert "审核通过" not in html and "修改记录" in html


def test_published_page_is_404_in_the_other_township(october):
    p = publish(october.world, START, END)
    assert page_client(october.world.outsider.user).get(f"/bulletins/{p.pk}/").status_code == 404


# --- editing and transitions -------------------------------------------------------------------------


def test_office_edits_the_draft(october, client):
    w = october.world
    d = draft(october)
    client.force_login(w.office.user)
    assert client.get(f"/bulletins/{d.pk}/edit/").status_code == 200

    response = client.post(f"/bulletins/{d.pk}/edit/", {
        "title": "作风建设简报", "editor_note": "按语内容", "narrative": d.narrative, "outlook": "一是……",
        "model_figures": [], "editor_unit": w.office_unit.pk, "signer": "", "issue_date": "",
        "distribution_report": "县委", "distribution_send": "", "distribution_issue": "各村", "copies": "40",
    })

    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.editor_note, d.outlook, d.copies, d.distribution_report) == ("按语内容", "一是……", 40, "县委")
    assert list(d.model_figures.all()) == []


def test_invalid_edit_shows_chinese_errors_and_keeps_the_text(october):
    w = october.world
    d = draft(october)

    response = page_client(w.office.user).post(f"/bulletins/{d.pk}/edit/", {
        "title": "作风建设简报", "editor_note": "刚写的按语", "copies": "0"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "刚写的按语" in html and "确保该值大于或等于1" in html
    d.refresh_from_db()
    assert d.editor_note == ""


@pytest.mark.parametrize("who, status", [("inspector", 403), ("secretary", 403), ("cadre1", 404), ("outsider", 404)])
def test_others_cannot_edit_and_nothing_changes(october, who, status):
    w = october.world
    d = draft(october)

    response = page_client(w.users[who]).post(f"/bulletins/{d.pk}/edit/", {
        "title": "改", "editor_note": "越权", "copies": "30"})

    assert response.status_code == status
    d.refresh_from_db()
    assert (d.title, d.editor_note) == ("作风建设简报", "")


def test_published_bulletin_edit_page_says_it_is_frozen(october):
    p = publish(october.world, START, END)

    response = page_client(october.world.office.user).post(f"/bulletins/{p.pk}/edit/", {"title": "改"}, follow=True)

    assert "已发布，内容已冻结" in response.content.decode()
    p.refresh_from_db()
    assert p.title == "作风建设简报"


def test_leader_approves_then_office_publishes_on_the_page(october, django_capture_on_commit_callbacks):
    w = october.world
    d = draft(october)

    refused = page_client(w.office.user).post(f"/bulletins/{d.pk}/approve/", follow=True)
    assert "只有镇领导可以审核简报" in refused.content.decode()
    d.refresh_from_db()
    assert d.status == "draft"

    page_client(w.secretary.user).post(f"/bulletins/{d.pk}/approve/")
    d.refresh_from_db()
    assert d.status == "approved"

    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(w.office.user).post(f"/bulletins/{d.pk}/publish/", follow=True)
    assert "简报已发布" in response.content.decode()
    d.refresh_from_db()
    assert (d.status, d.number) == ("published", 1)
    assert w.cadre1.user.notifications.filter(kind="bulletin_published").count() == 1


def test_transitions_need_post(october):
    d = draft(october)
    assert page_client(october.world.secretary.user).get(f"/bulletins/{d.pk}/approve/").status_code == 405


# --- downloads ---------------------------------------------------------------------------------------


def test_published_downloads_for_every_township_user(october, client):
    p = publish(october.world, START, END)
    client.force_login(october.world.reporter_user)

    pdf = client.get(f"/bulletins/{p.pk}/pdf/")
    xlsx = client.get(f"/bulletins/{p.pk}/xlsx/")
    docx = client.get(f"/bulletins/{p.pk}/docx/")

    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"] and "filename*=utf-8''" in pdf["Content-Disposition"]
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_draft_downloads_only_for_office_and_leaders(october):
    w = october.world
    d = draft(october)

    assert page_client(w.office.user).get(f"/bulletins/{d.pk}/xlsx/").status_code == 200
    assert page_client(w.secretary.user).get(f"/bulletins/{d.pk}/docx/").status_code == 200
    refused = page_client(w.inspector.user).get(f"/bulletins/{d.pk}/pdf/")
    assert refused.status_code == 403 and "草稿只有党政办和镇领导可以下载" in refused.content.decode()
    assert page_client(w.cadre1.user).get(f"/bulletins/{d.pk}/pdf/").status_code == 404
    assert page_client(w.office.user).get(f"/bulletins/{d.pk}/html/").status_code == 404


def test_pdf_download_without_a_chinese_font_explains_instead_of_boxes(october, monkeypatch):
    p = publish(october.world, START, END)
    monkeypatch.setattr("core.checks.cjk_font_available", lambda: False)

    response = page_client(october.world.cadre1.user).get(f"/bulletins/{p.pk}/pdf/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "没有安装中文字体" in response.content.decode()


# --- compiling from the page -------------------------------------------------------------------------


def test_office_starts_a_compile_and_follows_its_progress(october, client, django_capture_on_commit_callbacks):
    w = october.world
    client.force_login(w.office.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/bulletins/compile/", {"start": "2026-10-01", "end": "2026-10-31"})

    job = JobRun.objects.get(name="bulletins.compile")
    assert response.status_code == 302 and response["Location"] == f"/bulletins/jobs/{job.pk}/"
    bulletin = Bulletin.objects.get()
    assert (job.status, job.progress, job.result_url) == ("succeeded", 100, f"/bulletins/{bulletin.pk}/")
    assert job.started_by == w.office.user
    page = client.get(f"/bulletins/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f"/bulletins/{bulletin.pk}/" in page and 'http-equiv="refresh"' not in page


def test_a_pending_job_page_refreshes_itself_and_is_private(october):
    w = october.world
    job = JobRun.objects.create(name="bulletins.compile", started_by=w.office.user,
                                params={"start": "2026-10-01", "end": "2026-10-31"})

    page = page_client(w.office.user).get(f"/bulletins/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "排队中" in page
    assert page_client(w.secretary.user).get(f"/bulletins/jobs/{job.pk}/").status_code == 404


def test_compile_of_a_published_period_fails_the_job_with_the_reason(october, django_capture_on_commit_callbacks):
    w = october.world
    publish(w, START, END)

    with django_capture_on_commit_callbacks(execute=True):
        page_client(w.office.user).post("/bulletins/compile/", {"start": "2026-10-01", "end": "2026-10-31"})

    job = JobRun.objects.get(name="bulletins.compile")
    assert job.status == "failed" and "不能重新汇总" in job.message
    assert Bulletin.objects.count() == 1


def test_bad_compile_dates_show_a_message_and_start_nothing(october):
    response = page_client(october.world.office.user).post(
        "/bulletins/compile/", {"start": "2026-10-31", "end": "2026-10-01"})

    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert 'value="2026-10-31"' in response.content.decode()
    assert JobRun.objects.count() == 0 and Bulletin.objects.count() == 0


@pytest.mark.parametrize("who", ["cadre1", "secretary", "inspector", "reporter", "outsider"])
def test_only_the_office_starts_a_compile(october, who):
    response = page_client(october.world.users[who]).post(
        "/bulletins/compile/", {"start": "2026-10-01", "end": "2026-10-31"})

    assert response.status_code == 404
    assert JobRun.objects.count() == 0 and Bulletin.objects.count() == 0
