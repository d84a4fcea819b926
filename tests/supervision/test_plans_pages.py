"""The plan pages: list and detail by scope, drafting through the forms, the actions as POST forms,
a milestone done with a photo, and the printable PDF read back with pdftotext."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from supervision.models import Plan
from tests import factories as f

TODAY = timezone.localdate()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile("棚.png", out.getvalue(), content_type="image/png")


def test_drafting_submitting_approving_and_following_through_the_pages(world):
    cadre1, village1, secretary = (client_for(world.users[n]) for n in ("cadre1", "village1", "secretary"))
    # cadre1 drafts a plan for 东河村
    assert "起草规划" in cadre1.get("/plans/").content.decode()
    response = cadre1.post("/plans/new/", {"village": world.v1.pk, "title": "日光温室发展规划",
                                           "period_start": "2026-01-01", "period_end": "2028-12-31",
                                           "background": "耕地 3000 亩"})
    assert response.status_code == 302, response.content.decode()
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    # a goal and two milestones
    assert cadre1.post(f"/plans/{plan.pk}/goal/", {"indicator": "新建日光温室", "unit": "座", "baseline": "0",
                                                   "target": "50"}).status_code == 302
    for title, days in (("完成选址", 20), ("建成第一批", 200)):
        assert cadre1.post(f"/plans/{plan.pk}/milestone/", {
            "title": title, "due": (TODAY + dt.timedelta(days=days)).isoformat()}).status_code == 302
    # the village cadre adds one, already past due
    assert village1.post(f"/plans/{plan.pk}/milestone/", {
        "title": "村民代表会议", "due": (TODAY - dt.timedelta(days=2)).isoformat(),
        "responsible": world.village1.pk}).status_code == 302
    # cadre1 submits, the secretary sees the approve button and approves
    assert cadre1.post(f"/plans/{plan.pk}/submit/").status_code == 302
    page = secretary.get(f"/plans/{plan.pk}/").content.decode()
    assert "审批通过" in page and "提交审批" not in page
    assert secretary.post(f"/plans/{plan.pk}/approve/").status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.goals.count(), plan.milestones.count()) == ("approved", 1, 3)
    # the overdue milestone shows red; the village cadre marks it done with a photo
    late = plan.milestones.get(title="村民代表会议")
    page = village1.get(f"/plans/{plan.pk}/").content.decode()
    assert 'class="light red"' in page and f'action="/plans/milestones/{late.pk}/done/"' in page
    done = village1.post(f"/plans/milestones/{late.pk}/done/", {"note": "已通过", "evidence": png()})
    assert done.status_code == 302
    late.refresh_from_db()
    assert (late.status, late.done_on) == ("done", TODAY)
    evidence = village1.get(f"/plans/milestones/{late.pk}/evidence/")
    assert (evidence.status_code, evidence["Cache-Control"]) == (200, "private, no-store")


def test_a_refused_action_is_a_message_and_changes_nothing(world):
    plan = f.PlanFactory(village=world.v1)
    response = client_for(world.cadre1.user).post(f"/plans/{plan.pk}/submit/", follow=True)
    assert "请至少填写一项目标后再提交。" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_out_of_scope_pages_are_404(world):
    plan = f.PlanFactory(village=world.v1)
    milestone = f.PlanMilestoneFactory(plan=plan)
    cadre2 = client_for(world.cadre2.user)
    assert "发展规划" in cadre2.get("/plans/").content.decode()
    assert plan.title not in cadre2.get("/plans/").content.decode()
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/pdf/", f"/plans/{plan.pk}/print/",
                f"/plans/{plan.pk}/edit/"):
        assert cadre2.get(url).status_code == 404, url
    assert cadre2.post(f"/plans/{plan.pk}/submit/").status_code == 404
    assert cadre2.post(f"/plans/milestones/{milestone.pk}/done/").status_code == 404
    assert cadre2.get("/plans/new/").status_code == 200  # cadre2 drafts for 光明路村 only
    bad = cadre2.post("/plans/new/", {"village": world.v1.pk, "title": "x", "period_start": "2026-01-01",
                                      "period_end": "2026-12-31"})
    assert bad.status_code == 400 and "只能为您包联的村起草规划。" in bad.content.decode()


def test_the_plan_pdf_reads_back(world, tmp_path):
    plan = f.PlanFactory(village=world.v1, title="日光温室发展规划", status="approved", background="全村耕地三千亩")
    f.PlanGoalFactory(plan=plan, indicator="新建日光温室", unit="座", target=50)
    f.PlanMilestoneFactory(plan=plan, title="完成温室选址", responsible=world.cadre1)
    response = client_for(world.secretary.user).get(f"/plans/{plan.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    for expected in ("东河村日光温室发展规划", "东河镇", "全村耕地三千亩", "新建日光温室", "50", "完成温室选址",
                     "干部甲", "二、发展目标", "三、推进节点"):
        assert expected in flat, expected


def test_the_diary_form_offers_the_milestones_and_the_plan_shows_the_diary(world):
    plan = f.PlanFactory(village=world.v1, status="approved", title="日光温室发展规划")
    milestone = f.PlanMilestoneFactory(plan=plan, title="完成选址")
    cadre1 = client_for(world.cadre1.user)
    form = cadre1.get("/diaries/new/").content.decode()
    assert f'<option value="{milestone.pk}">东河村 · 日光温室发展规划 · 完成选址</option>' in form
    response = cadre1.post("/diaries/new/", {"date": TODAY.isoformat(), "village": world.v1.pk,
                                             "category": "other", "situation": "察看温室选址",
                                             "milestone": milestone.pk})
    assert response.status_code == 302, response.content.decode()
    page = client_for(world.secretary.user).get(f"/plans/{plan.pk}/").content.decode()
    assert "推进日志（民情日记）" in page and "察看温室选址" in page
    # a cadre with no plan in their villages sees no such field
    assert 'name="milestone"' not in client_for(world.cadre2.user).get("/diaries/new/").content.decode()
