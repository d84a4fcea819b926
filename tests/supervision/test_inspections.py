"""Inspections (督查): owned by the inspectors, confidential until published, followed up."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from cadres.roles import actor_for
from core.errors import NotAllowed, StateError
from core.models import Notification
from supervision.api.serializers.inspections import InspectionSerializer
from supervision.models import Inspection, InspectionFinding, Matter
from supervision.selectors.inspections import inspection_list
from supervision.services import inspections as svc
from tests import factories as f
from tests.helpers import api_client, assert_num_queries

pytestmark = pytest.mark.django_db

D = dt.date


def record(world, subject, *, kind="announced", publish=False, action="reminder"):
    inspection = svc.inspection_create(actor=actor_for(world.inspector.user), date=D(2026, 10, 15), kind=kind,
                                       title=f"督查{subject}", subject=subject)
    svc.inspection_add_finding(inspection=inspection, actor=actor_for(world.inspector.user), category="formalism",
                               description="材料重复报送", action=action, rectification_deadline=D(2026, 11, 30))
    if publish:
        svc.inspection_publish(inspection=inspection, actor=actor_for(world.inspector.user))
    return inspection


@pytest.fixture
def inspections(world):
    world.i = {
        "announced": record(world, world.v1),
        "published": record(world, world.cadre1, publish=True),
        "secret": record(world, world.unit, kind="unannounced"),
        "secret_published": record(world, world.cadre2, kind="unannounced", publish=True),
    }
    other = f.InspectionFactory(township=world.other_township, subject_village=world.v_other)
    f.InspectionFindingFactory(inspection=other)
    world.i["other"] = other
    return world


EVERY = {"announced", "published", "secret", "secret_published"}
SEES = {
    "inspector": EVERY, "secretary": EVERY, "head": EVERY,
    "office": {"announced", "published", "secret_published"},  # not the unpublished 暗访
    "cadre1": {"published"}, "cadre2": {"secret_published"},
    "unit_head": set(), "village1": set(),  # their inspections are not published yet
    "deputy": set(), "cadre3": set(), "reporter": set(), "outsider": set(),
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_role_sees_exactly_the_inspections_it_may(inspections, client, who):
    ids = {v.pk: k for k, v in inspections.i.items()}
    listed = api_client(inspections.users[who]).get("/api/v1/inspections/").json()["results"]
    assert {ids[r["id"]] for r in listed} == SEES[who]
    client.force_login(inspections.users[who])
    page = client.get("/inspections/").content.decode()
    for name, inspection in inspections.i.items():
        code = 200 if name in SEES[who] else 404
        assert client.get(f"/inspections/{inspection.pk}/").status_code == code, name
        assert api_client(inspections.users[who]).get(f"/api/v1/inspections/{inspection.pk}/").status_code == code
        assert (f"/inspections/{inspection.pk}/" in page) == (name in SEES[who])


def test_publishing_shows_the_subject_its_findings_and_notifies_once(inspections, django_capture_on_commit_callbacks):
    secret = inspections.i["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        svc.inspection_publish(inspection=secret, actor=actor_for(inspections.inspector.user))
    assert Notification.objects.filter(recipient=inspections.unit_head.user, kind="inspection").count() == 1
    listed = api_client(inspections.unit_head.user).get("/api/v1/inspections/").json()["results"]
    assert [r["id"] for r in listed] == [secret.pk]
    assert listed[0]["confidential"] is False and listed[0]["findings"][0]["category_display"] == "形式主义"
    with pytest.raises(StateError, match="已于"):
        svc.inspection_publish(inspection=secret, actor=actor_for(inspections.inspector.user))


@pytest.mark.parametrize("who", ["office", "secretary", "cadre1", "unit_head"])
def test_only_inspectors_record_inspections(world, who):
    with pytest.raises(NotAllowed):
        svc.inspection_create(actor=actor_for(world.users[who]),
            date=D(2026, 10, 1), kind="announced", title="督查", subject=world.v1)
    assert not Inspection.objects.exists()
    response = api_client(world.users[who]).post("/api/v1/inspections/", {
        "date": "2026-10-01", "kind": "announced", "title": "督查", "subject_type": "village",
        "subject_id": world.v1.pk}, format="json")
    assert response.status_code == 403
    assert not Inspection.objects.exists()


def test_the_inspector_records_through_the_api_and_the_page(world, client):
    created = api_client(world.inspector.user).post("/api/v1/inspections/", {
        "date": "2026-10-01", "kind": "unannounced", "title": "暗访在岗情况", "subject_type": "unit",
        "subject_id": world.unit.pk, "inspectors": [world.inspector.pk, world.office.pk]}, format="json")
    assert created.status_code == 201
    assert (created.json()["confidential"], sorted(created.json()["inspectors"])) == (
        True, sorted([world.inspector.pk, world.office.pk]))
    foreign = api_client(world.inspector.user).post("/api/v1/inspections/", {
        "date": "2026-10-01", "kind": "announced", "title": "督查", "subject_type": "village",
        "subject_id": world.v_other.pk}, format="json")
    assert foreign.status_code == 400 and foreign.json()["detail"] == "subject_id: 督查对象不存在。"

    client.force_login(world.inspector.user)
    response = client.post("/inspections/new/", {"date": "2026-10-20", "kind": "announced", "title": "公开栏检查",
                                                 "subject_type": "village", "subject_village": world.v2.pk})
    inspection = Inspection.objects.get(title="公开栏检查")
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/"
    assert list(inspection.inspectors.all()) == [world.inspector]
    missing = client.post("/inspections/new/", {"date": "2026-10-20", "kind": "announced", "title": "无对象",
                                                "subject_type": "cadre"})
    assert missing.status_code == 400 and "请选择督查对象" in missing.content.decode()
    client.post(f"/inspections/{inspection.pk}/findings/", {"category": "slackness", "description": "公开栏破损",
                                                           "action": "reminder", "rectification_deadline": "2026-11-01"})
    assert inspection.findings.get().get_category_display() == "庸懒散拖"
    bad = client.post(f"/inspections/{inspection.pk}/findings/", {"category": "nope", "description": ""})
    assert bad.status_code == 400 and inspection.findings.count() == 1


def test_findings_are_checked(inspections):
    inspection = inspections.i["announced"]
    with pytest.raises(ValidationError) as caught:
        svc.inspection_add_finding(inspection=inspection, actor=actor_for(inspections.inspector.user), category="formalism",
                                   description="x", rectification_deadline=D(2026, 1, 1))
    assert "整改期限不能早于督查日期" in caught.value.message_dict["rectification_deadline"][0]
    with pytest.raises(NotAllowed):
        svc.inspection_add_finding(inspection=inspection, actor=actor_for(inspections.office.user), category="formalism",
                                   description="x")
    assert inspection.findings.count() == 1


def test_the_subject_reports_rectification_after_publication_and_the_inspector_closes(inspections, client):
    published = inspections.i["published"]
    finding = published.findings.get()
    with pytest.raises(StateError, match="未报送整改情况"):
        svc.inspection_close(inspection=published, actor=actor_for(inspections.inspector.user))
    with pytest.raises(NotAllowed):
        svc.finding_report_rectification(finding=finding, report="代报", actor=actor_for(inspections.cadre2.user))
    client.force_login(inspections.cadre1.user)
    client.post(f"/inspections/findings/{finding.pk}/rectification/", {"report": "已重新梳理台账，删除重复表格"})
    finding.refresh_from_db()
    assert finding.rectification_report == "已重新梳理台账，删除重复表格" and finding.rectified_at
    svc.inspection_close(inspection=published, actor=actor_for(inspections.inspector.user))
    with pytest.raises(StateError, match="已结案"):
        svc.finding_report_rectification(finding=finding, report="补充", actor=actor_for(inspections.cadre1.user))


def test_an_unpublished_subject_cannot_answer(inspections, client):
    finding = inspections.i["announced"].findings.get()
    with pytest.raises(NotAllowed):
        svc.finding_report_rectification(finding=finding, report="整改", actor=actor_for(inspections.village1.user))
    client.force_login(inspections.village1.user)
    assert client.post(f"/inspections/findings/{finding.pk}/rectification/", {"report": "x"}).status_code == 404
    assert InspectionFinding.objects.get(pk=finding.pk).rectification_report == ""


def test_a_finding_raises_a_matter_in_the_ledger_once(inspections):
    finding = inspections.i["announced"].findings.get()
    matter = svc.finding_raise_matter(finding=finding, actor=actor_for(inspections.inspector.user), category="village_appearance")
    assert (matter.source, matter.status, matter.finding, matter.village) == (
        "inspection", "registered", finding, inspections.v1)
    assert "材料重复报送" in matter.description
    with pytest.raises(StateError, match=f"#{matter.pk}"):
        svc.finding_raise_matter(finding=finding, actor=actor_for(inspections.inspector.user))
    assert Matter.objects.count() == 1


def test_a_confidential_finding_cannot_become_a_matter(inspections):
    finding = inspections.i["secret"].findings.get()
    with pytest.raises(StateError, match="保密"):
        svc.finding_raise_matter(finding=finding, actor=actor_for(inspections.inspector.user), village=inspections.v1)
    with pytest.raises(NotAllowed):
        svc.finding_raise_matter(finding=inspections.i["announced"].findings.get(), actor=actor_for(inspections.office.user))
    assert not Matter.objects.exists()


def test_a_cadre_subject_needs_the_matters_village(inspections, client):
    finding = inspections.i["published"].findings.get()
    with pytest.raises(ValidationError, match="请选择问题所在的村"):
        svc.finding_raise_matter(finding=finding, actor=actor_for(inspections.inspector.user))
    client.force_login(inspections.inspector.user)
    client.post(f"/inspections/findings/{finding.pk}/matter/", {"village": inspections.v2.pk, "category": "other"})
    assert Matter.objects.get().village == inspections.v2


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inspection_list_costs_the_same_at_1_and_50_rows(world, client, rows):
    for n in range(rows):
        inspection = f.InspectionFactory(township=world.township, subject_village=world.v1, title=f"督查{n}")
        inspection.inspectors.set([world.inspector])
        f.InspectionFindingFactory(inspection=inspection)
    api = api_client(world.inspector.user, session=True)
    # PostgreSQL reads the inspectors and findings in the page's own query (ARRAY and json columns);
    # SQLite afterwards.
    with assert_num_queries(7 if connection.vendor == "postgresql" else 9):
        assert len(api.get("/api/v1/inspections/").json()["results"]) == rows
    client.force_login(world.inspector.user)
    with assert_num_queries(10):
        assert client.get("/inspections/").status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_reads_findings_of_every_shape_as_the_serializer_gives_them(world, language):
    """The list's findings (a json column on PostgreSQL) carry texts, dates, timestamps and matters
    exactly as InspectionSerializer gives them: fractions of a second with trailing zeros or none,
    escapes in texts, no deadline, no matter, several matters, and an inspection without findings."""
    utc = dt.UTC
    plain = f.InspectionFactory(township=world.township, subject_village=world.v1)
    shapes = [
        {"rectified_at": dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=utc), "rectification_deadline": D(2027, 1, 1),
         "description": '引号"与反斜杠\\、换行\n制表\t😀\u2028', "rectification_report": "已整改 <b>&amp;</b>"},
        {"rectified_at": dt.datetime(2026, 3, 1, 2, 3, 4, 120000, tzinfo=utc), "category": "other", "action": ""},
        {"rectified_at": dt.datetime(2026, 3, 1, 2, 3, 4, 1, tzinfo=utc), "rectification_deadline": None},
        {"rectified_at": None, "description": ""},
    ]
    findings = [f.InspectionFindingFactory(inspection=plain, **shape) for shape in shapes]
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=findings[0])
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=findings[0])
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=findings[2])
    f.InspectionFactory(township=world.township, subject_village=world.v2)
    user = world.secretary.user
    page = api_client(user).get("/api/v1/inspections/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    with translation.override(language):
        expected = JSONRenderer().render([
            InspectionSerializer().generic_representation(row)
            for row in inspection_list(actor_for(user)).prefetch_related("findings__matters")])
    assert JSONRenderer().render(json.loads(page.content)["results"]) == expected
    rows = {row["id"]: row for row in json.loads(page.content)["results"]}
    assert [finding["id"] for finding in rows[plain.pk]["findings"]] == [finding.pk for finding in findings]
    assert len(rows) == 2


def test_the_list_pages_in_the_selectors_order(inspections):
    """Each page holds the rows of the selector's order (date, then id, newest first) at its place."""
    f.InspectionFactory(township=inspections.township, subject_village=inspections.v1, date=D(2026, 10, 15))
    f.InspectionFactory(township=inspections.township, subject_village=inspections.v2, date=D(2026, 9, 1))
    secretary = inspections.users["secretary"]
    expected = list(inspection_list(actor_for(secretary)).values_list("id", flat=True))
    client = api_client(secretary)
    pages = [client.get(f"/api/v1/inspections/?page_size=2&page={n}").json() for n in (1, 2, 3)]
    assert [row["id"] for page in pages for row in page["results"]] == expected
    assert [page["count"] for page in pages] == [len(expected)] * 3 and len(expected) == 6
    assert client.get("/api/v1/inspections/?page_size=2&page=4").status_code == 404


def test_a_log_in_tied_to_no_township_lists_no_inspection(inspections):
    nobody = f.UserFactory(username="nobody", groups=["inspector"])
    assert actor_for(nobody).township_ids == frozenset()  # inspections_for: qs.none()
    answer = api_client(nobody).get("/api/v1/inspections/")
    assert answer.status_code == 200
    assert answer.json()["count"] == 0 and answer.json()["results"] == []
