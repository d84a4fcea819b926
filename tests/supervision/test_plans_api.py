"""`/api/v1/plans/` and `/api/v1/plan-milestones/`: the whole path, scope (404), refusals (403/400)
with nothing changed, lights; query counts pinned."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from supervision.models import Plan, PlanMilestone
from tests import factories as f

TODAY = timezone.localdate()


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return SimpleUploadedFile("done.png", out.getvalue(), content_type="image/png")


def payload(world, **extra):  # type: ignore[no-untyped-def]
    return {
        "village": world.v1.pk, "title": "日光温室发展规划",
        "period_start": "2026-01-01", "period_end": "2028-12-31",
        "goals": [{"indicator": "新建日光温室", "unit": "座", "baseline": "10", "target": "50"}],
        "milestones": [{"title": "完成选址", "due": (TODAY + dt.timedelta(days=20)).isoformat()}],
        **extra,
    }


def test_whole_path_through_the_api(world):
    cadre1, village1, secretary = (api_for(world.users[n]) for n in ("cadre1", "village1", "secretary"))
    # cadre1 drafts with a goal and a milestone
    created = cadre1.post("/api/v1/plans/", payload(world), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["village"], body["title"], body["period_start"], body["period_end"], body["status"],
            body["status_display"]) == (world.v1.pk, "日光温室发展规划", "2026-01-01", "2028-12-31", "draft", "草稿")
    assert [(g["indicator"], g["unit"], g["baseline"], g["target"], g["achieved"]) for g in body["goals"]] == [
        ("新建日光温室", "座", "10.00", "50.00", "0.00")]
    # the village cadre adds a milestone
    due = (TODAY - dt.timedelta(days=1)).isoformat()
    added = village1.post("/api/v1/plan-milestones/", {"plan": pk, "title": "村民代表会议", "due": due,
                                                       "responsible": world.village1.pk}, format="json")
    assert added.status_code == 201, added.json()
    assert (added.json()["status"], added.json()["light"], added.json()["responsible"]) == (
        "open", "red", world.village1.pk)
    # cadre1 submits; the secretary approves
    submitted = cadre1.post(f"/api/v1/plans/{pk}/submit/", {}, format="json")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    approved = secretary.post(f"/api/v1/plans/{pk}/approve/", {}, format="json")
    assert (approved.status_code, approved.json()["status"], approved.json()["milestones_overdue"]) == (
        200, "approved", 1)
    # a milestone is done with a photo
    mid = added.json()["id"]
    done = village1.post(f"/api/v1/plan-milestones/{mid}/done/", {"note": "会议通过", "evidence": png()},
                         format="multipart")
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["done_on"], done.json()["light"], done.json()["evidence"]) == (
        "done", TODAY.isoformat(), "", f"http://testserver/plans/milestones/{mid}/evidence/")


def test_cadre2_can_neither_read_nor_edit_cadre1s_village_plan(world):
    plan = f.PlanFactory(village=world.v1)
    milestone = f.PlanMilestoneFactory(plan=plan)
    cadre2 = api_for(world.cadre2.user)
    assert cadre2.get("/api/v1/plans/").json()["results"] == []
    assert cadre2.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert cadre2.post(f"/api/v1/plans/{plan.pk}/submit/", {}, format="json").status_code == 404
    assert cadre2.get(f"/api/v1/plan-milestones/{milestone.pk}/").status_code == 404
    assert cadre2.post(f"/api/v1/plan-milestones/{milestone.pk}/done/", {}, format="json").status_code == 404
    refused = cadre2.post("/api/v1/plan-milestones/", {"plan": plan.pk, "title": "x", "due": TODAY.isoformat()},
                          format="json")
    assert (refused.status_code, refused.json()["errors"]) == (400, {"plan": ["所选规划不存在。"]})
    forbidden = cadre2.post("/api/v1/plans/", payload(world), format="json")
    assert (forbidden.status_code, forbidden.json()["detail"]) == (403, "只有本村的包村干部或村干部可以起草发展规划。")
    plan.refresh_from_db()
    assert (plan.status, plan.milestones.count(), Plan.objects.count()) == ("draft", 1, 1)


def test_the_reporter_reads_plans_but_cannot_act(world):
    plan = f.PlanFactory(village=world.v2, status="submitted")
    reporter = api_for(world.reporter_user)
    assert [row["id"] for row in reporter.get("/api/v1/plans/").json()["results"]] == [plan.pk]
    assert reporter.post(f"/api/v1/plans/{plan.pk}/approve/", {}, format="json").status_code == 403
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_illegal_transitions_answer_400_with_the_reason(world):
    plan = f.PlanFactory(village=world.v1)
    secretary, cadre1 = api_for(world.secretary.user), api_for(world.cadre1.user)
    early = secretary.post(f"/api/v1/plans/{plan.pk}/approve/", {}, format="json")
    assert (early.status_code, early.json()["detail"]) == (400, "只有已提交的规划才能审批（当前：草稿）。")
    empty = cadre1.post(f"/api/v1/plans/{plan.pk}/submit/", {}, format="json")
    assert (empty.status_code, empty.json()["detail"]) == (400, "请至少填写一项目标后再提交。")
    milestone = f.PlanMilestoneFactory(plan=plan)
    draft_done = cadre1.post(f"/api/v1/plan-milestones/{milestone.pk}/done/", {}, format="json")
    assert (draft_done.status_code, draft_done.json()["detail"]) == (400, "规划审批后才能标记节点完成。")
    milestone.refresh_from_db()
    assert (milestone.status, plan.status) == ("open", "draft")


def test_filters_and_lights_of_milestones(world):
    plan = f.PlanFactory(village=world.v1, status="approved")
    late = f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=3))
    soon = f.PlanMilestoneFactory(plan=plan, due=TODAY + dt.timedelta(days=2))
    done = f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=5), status="done", done_on=TODAY)
    client = api_for(world.cadre1.user)
    rows = {r["id"]: (r["light"], r["light_display"]) for r in client.get("/api/v1/plan-milestones/").json()["results"]}
    assert rows == {late.pk: ("red", "逾期"), soon.pk: ("yellow", "临期"), done.pk: ("", "")}
    assert [r["id"] for r in client.get("/api/v1/plan-milestones/?overdue=true").json()["results"]] == [late.pk]
    assert [r["id"] for r in client.get("/api/v1/plan-milestones/?status=done").json()["results"]] == [done.pk]
    assert PlanMilestone.objects.count() == 3


@pytest.mark.parametrize("rows", [1, 6])
def test_plan_list_query_count_is_constant(world, django_assert_num_queries, rows):
    for i in range(rows):
        plan = f.PlanFactory(village=world.v1 if i % 2 else world.v2)
        f.PlanGoalFactory(plan=plan)
        f.PlanGoalFactory(plan=plan)
        f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=1))
    client = api_for(world.secretary.user)
    with django_assert_num_queries(5):
        response = client.get("/api/v1/plans/")
    assert len(response.json()["results"]) == rows
    assert {len(r["goals"]) for r in response.json()["results"]} == {2}


@pytest.mark.parametrize("rows", [1, 6])
def test_milestone_list_query_count_is_constant(world, django_assert_num_queries, rows):
    plan = f.PlanFactory(village=world.v1)
    for _ in range(rows):
        f.PlanMilestoneFactory(plan=plan, responsible=world.cadre1)
    client = api_for(world.cadre1.user)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/plan-milestones/")
    assert len(response.json()["results"]) == rows
