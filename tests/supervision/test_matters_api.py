"""`/api/v1/matters/`: the whole path, every refusal as 400/403/404 with nothing changed, filters,
evidence by scope only; query counts pinned."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from supervision.models import Matter
from tests import factories as f
from tests.helpers import api_client, assert_num_queries, page_client, results


def pdf_upload() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile("result.pdf", body, content_type="application/pdf")


def state_of(matter: Matter) -> tuple:
    matter.refresh_from_db()
    return matter.status, matter.unit_id, matter.assignee_id, matter.resolution, matter.events.count()


def test_whole_path_through_the_api(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="路面塌陷")
    cadre1, cadre2, office = (api_client(world.users[n]) for n in ("cadre1", "cadre2", "office"))

    created = cadre1.post("/api/v1/matters/", {"diary": diary.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["status"], body["status_display"], body["source"], body["source_display"], body["village"],
            body["category"], body["category_display"], body["description"], body["light"]) == (
        "registered", "登记", "diary", "民情日记", world.v1.pk, "infrastructure", "基础设施", "路面塌陷", "green")

    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assigned = office.post(f"/api/v1/matters/{pk}/assign/",
                           {"unit": world.unit.pk, "assignee": world.cadre2.pk, "deadline": deadline}, format="json")
    assert assigned.status_code == 200, assigned.json()
    assert (assigned.json()["status"], assigned.json()["assignee"], assigned.json()["deadline"]) == (
        "assigned", world.cadre2.pk, deadline)
    assert cadre2.post(f"/api/v1/matters/{pk}/start/", {}, format="json").json()["status"] == "in_progress"
    resolved = cadre2.post(f"/api/v1/matters/{pk}/resolve/", {"resolution": "已修复", "evidence": pdf_upload()},
                           format="multipart")
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["evidence"] == f"http://testserver/matters/{pk}/evidence/"
    revisited = cadre1.post(f"/api/v1/matters/{pk}/revisit/", {"satisfaction": "satisfied", "note": "满意"},
                            format="json")
    assert (revisited.json()["status"], revisited.json()["satisfaction_display"]) == ("revisited", "满意")
    closed = office.post(f"/api/v1/matters/{pk}/close/", {}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["light"] == ""
    assert [e["action"] for e in closed.json()["events"]] == ["create", "assign", "start", "resolve", "revisit", "close"]


def test_create_from_a_hotline_call_with_its_reference(world):
    response = api_client(world.office.user).post("/api/v1/matters/", {
        "village": world.v2.pk, "household": world.h2.pk, "category": "livelihood",
        "description": "来电反映低保金未到账", "source": "hotline", "external_ref": "12345-2026-00088",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["source"], response.json()["external_ref"], response.json()["household"]) == (
        "hotline", "12345-2026-00088", world.h2.pk)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"village": "other"}, "所选村不属于您所在的乡镇。"),
        ({"description": "字" * 5001}, "5000"),
        ({"description": ""}, "请填写问题描述。"),
        ({"diary": "invisible"}, "对象不存在"),
        ({"source": "rumour"}, "不是合法选项"),
    ],
)
def test_bad_create_is_a_chinese_400_and_nothing_stored(world, payload, message):
    hidden = f.DiaryFactory(author=world.cadre2, village=world.v2, problems="x")
    data = {"village": world.v1.pk, "category": "livelihood", "description": "问题", "source": "villager", **payload}
    if data["village"] == "other":
        data["village"] = world.v_other.pk
    if data.get("diary") == "invisible":
        data["diary"] = hidden.pk
    response = api_client(world.cadre1.user).post("/api/v1/matters/", data, format="json")
    assert response.status_code == 400
    assert message in str(response.json()), response.json()
    assert Matter.objects.count() == 0


@pytest.fixture
def assigned(world):  # type: ignore[no-untyped-def]
    matter = f.MatterFactory(village=world.v1, raised_by=world.cadre1, unit=world.unit, assignee=world.cadre2,
                             status="assigned")
    return matter


def test_illegal_transition_is_400_with_the_reason(world, assigned):
    before = state_of(assigned)
    response = api_client(world.office.user).post(f"/api/v1/matters/{assigned.pk}/close/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "只有已回访的事项才能销号（当前：交办）。", "code": "invalid", "errors": {}}
    response = api_client(world.cadre2.user).post(f"/api/v1/matters/{assigned.pk}/resolve/", {"resolution": "x"},
                                               format="json")
    assert response.json()["detail"] == "只有办理中的事项才能办结（当前：交办）。"
    assert state_of(assigned) == before


def test_wrong_person_is_403_and_out_of_scope_is_404(world, assigned):
    before = state_of(assigned)
    refused = api_client(world.cadre1.user).post(f"/api/v1/matters/{assigned.pk}/start/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有承办人或承办单位负责人可以办理。"
    reporter = api_client(world.reporter_user).post(f"/api/v1/matters/{assigned.pk}/assign/", {"unit": world.unit.pk},
                                                 format="json")
    assert reporter.status_code == 403
    for who in ("cadre3", "outsider"):
        client = api_client(world.users[who])
        assert client.get(f"/api/v1/matters/{assigned.pk}/").status_code == 404
        assert client.post(f"/api/v1/matters/{assigned.pk}/start/", {}, format="json").status_code == 404
    assert state_of(assigned) == before


def test_bad_action_bodies_are_400(world, assigned):
    before = state_of(assigned)
    office = api_client(world.office.user)
    assert office.post(f"/api/v1/matters/{assigned.pk}/assign/", {"unit": world.unit.pk, "deadline": "2026-02-30"},
                       format="json").status_code == 400
    response = office.post(f"/api/v1/matters/{assigned.pk}/assign/",
                           {"unit": world.unit.pk, "assignee": world.cadre3.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"assignee": ["承办人必须是承办单位的在岗干部。"]}
    assert state_of(assigned) == before


def test_fake_evidence_file_is_a_400_and_nothing_changes(world, assigned):
    assigned.status = "in_progress"
    assigned.save()
    before = state_of(assigned)
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'x'; ?>" * 20, content_type="image/jpeg")
    response = api_client(world.cadre2.user).post(f"/api/v1/matters/{assigned.pk}/resolve/",
                                               {"resolution": "已修复", "evidence": fake}, format="multipart")
    assert response.status_code == 400
    assert "文件类型不符" in response.json()["errors"]["evidence"][0]
    assert state_of(assigned) == before


def test_unsatisfied_revisit_reopens(world, assigned):
    assigned.status = "resolved"
    assigned.save()
    response = api_client(world.cadre1.user).post(f"/api/v1/matters/{assigned.pk}/revisit/",
                                               {"satisfaction": "unsatisfied", "note": "没修好"}, format="json")
    assert (response.json()["status"], response.json()["satisfaction"]) == ("in_progress", "unsatisfied")


def test_evidence_is_served_only_within_scope(world, assigned):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="JPEG")
    assigned.status = "in_progress"
    assigned.save()
    api_client(world.cadre2.user).post(f"/api/v1/matters/{assigned.pk}/resolve/", {
        "resolution": "已修复", "evidence": SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")},
        format="multipart")
    client = page_client(world.cadre1.user)
    response = client.get(f"/matters/{assigned.pk}/evidence/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(world.cadre3.user)
    assert client.get(f"/matters/{assigned.pk}/evidence/").status_code == 404


def test_filters_status_village_overdue(world):
    today = timezone.localdate()
    late = f.MatterFactory(village=world.v1, status="in_progress", deadline=today - dt.timedelta(days=1))
    fine = f.MatterFactory(village=world.v2, status="assigned", deadline=today + dt.timedelta(days=9))
    done = f.MatterFactory(village=world.v1, status="closed", deadline=today - dt.timedelta(days=9))
    client = api_client(world.office.user)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in results(client.get(f"/api/v1/matters/?{query}"))]

    assert ids("") == [done.pk, fine.pk, late.pk]
    assert ids("status=in_progress") == [late.pk]
    assert ids(f"village={world.v1.pk}") == [done.pk, late.pk]
    assert ids("overdue=true") == [late.pk]
    assert ids("overdue=false") == [done.pk, fine.pk]
    rows = {row["id"]: (row["light"], row["overdue"]) for row in client.get("/api/v1/matters/").json()["results"]}
    assert rows == {late.pk: ("red", True), fine.pk: ("green", False), done.pk: ("", False)}
    bad = client.get("/api/v1/matters/?status=finished")
    assert bad.status_code == 400 and "finished" in bad.json()["detail"]


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_count_is_constant(world, rows):
    for i in range(rows):
        f.MatterFactory(village=world.v1, raised_by=world.cadre1, unit=world.unit, assignee=world.cadre2,
                        household=world.h1, status="assigned" if i % 2 else "registered")
    client = api_client(world.unit_head.user)
    with assert_num_queries(5):
        response = client.get("/api/v1/matters/")
    assert len(response.json()["results"]) == rows


def test_the_list_rows_equal_drfs_field_by_field_ones_in_both_languages(world):
    # given matters in every light, closed and revisited ones, with and without evidence
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.test import RequestFactory
    from django.utils import translation

    from cadres.roles import actor_for
    from supervision.api.serializers.matters import MatterSerializer
    from supervision.selectors.matters import matter_list

    today = timezone.localdate()
    now = timezone.now()
    f.MatterFactory(village=world.v1, status="in_progress", deadline=today - dt.timedelta(days=1),
                    unit=world.unit, assignee=world.cadre2, assigned_at=now, started_at=now, escalated_on=today)
    f.MatterFactory(village=world.v2, status="assigned", deadline=today + dt.timedelta(days=1), household=world.h2)
    f.MatterFactory(village=world.v1, status="registered", source="hotline", external_ref="12345-001")
    f.MatterFactory(village=world.v1, status="closed", satisfaction="basically_satisfied", resolution="已修复",
                    resolved_at=now, revisited_at=now, closed_at=now, revisit_note="群众满意",
                    evidence=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))
    client = api_client(world.office.user)
    shown: dict[str, set[str]] = {}
    for language in ("zh-hans", "en"):
        rows = client.get("/api/v1/matters/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        shown[language] = {r["status_display"] for r in rows}
        request = RequestFactory().get("/api/v1/matters/", HTTP_HOST="testserver")
        serializer = MatterSerializer(context={"request": request})
        with translation.override(language):
            expected = [json.loads(json.dumps(serializer.generic_representation(m), cls=DjangoJSONEncoder))
                        for m in matter_list(actor_for(world.office.user))]
        # then the fast rows are exactly what DRF's declared fields give
        assert rows == expected
        assert len(rows) == 4 and {r["light"] for r in rows} == {"red", "yellow", "green", ""}
    assert any(r["evidence"] and r["evidence"].startswith("http://testserver/") for r in rows)
    # and the labels follow the language asked for
    assert "销号" in shown["zh-hans"] and not shown["zh-hans"] & shown["en"]


def test_the_kept_question_of_an_unfiltered_list_answers_each_scope_with_its_own_rows(world):
    # given matters in each village, of each unit and person, and one in another township
    from cadres.roles import actor_for
    from core import query_memo
    from supervision.selectors.matters import matters_for

    f.MatterFactory(village=world.v1, raised_by=world.cadre1)
    f.MatterFactory(village=world.v2, assignee=world.cadre2, unit=world.unit)
    f.MatterFactory(village=world.v3, unit=world.unit2)
    f.MatterFactory(village=world.v3, raised_by=world.cadre3)
    f.MatterFactory(village=world.v_other)
    query_memo.forget_kept()
    # when every role lists its matters twice, one after another in one process
    for _round in (1, 2):
        for name, user in world.users.items():
            response = api_client(user).get("/api/v1/matters/")
            # then each sees exactly what its scope admits, the second time as the first
            expected = list(matters_for(actor_for(user)).order_by("-id").values_list("id", flat=True))
            assert [row["id"] for row in results(response)] == expected, name
    # (the scopes differ: one question kept per scope, not one for all)
    assert len({key for key in query_memo._KEPT if key[0] == "api.matters.rows"}) >= 6


def test_a_new_village_assignment_shows_at_once_in_the_kept_list(world):
    # given cadre3 has listed their matters (their question kept)
    other = f.MatterFactory(village=world.v2)
    client = api_client(world.cadre3.user)
    assert other.pk not in [row["id"] for row in results(client.get("/api/v1/matters/"))]
    # when they are assigned to v2 as well
    f.AssignmentFactory(cadre=world.cadre3, village=world.v2, start=dt.date(2026, 1, 1))
    # then their next list holds v2's matter
    assert other.pk in [row["id"] for row in results(client.get("/api/v1/matters/"))]
