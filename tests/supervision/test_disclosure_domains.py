"""Every disclosure domain: 政务 is the township's, 校务 a school's; both are recorded, checked
each quarter and counted in the bulletin, domain by domain."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from bulletins.figures import disclosure_compliance
from cadres.models import School, Township
from cadres.roles import SYSTEM, actor_for
from cadres.services.schools import school_save
from core.errors import NotAllowed
from core.models import Notification
from supervision.models import Disclosure, DisclosureCheck, DisclosureRequirement, Subject
from supervision.services.disclosures import disclosure_check_run, disclosure_create, requirements_for
from tests.helpers import api_client, page_client, results

D = dt.date
NOW = dt.datetime(2026, 10, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AFTER_Q3 = D(2026, 10, 25)


@pytest.fixture
def domains(world):  # type: ignore[no-untyped-def]
    """The township switches on one 政务 and one 校务 requirement; it has two schools."""
    world.gov = DisclosureRequirement.objects.create(
        township=world.township, domain="government_affairs", category="重大项目及惠民政策落实情况",
        frequency="quarterly", due_day=20, applies_to=Subject.TOWNSHIP)
    world.edu = DisclosureRequirement.objects.create(
        township=world.township, domain="school_affairs", category="学校收费及学生资助",
        frequency="quarterly", due_day=20, applies_to=Subject.SCHOOL)
    world.school = School.objects.create(township=world.township, name="东河镇中心小学")
    world.school2 = School.objects.create(township=world.township, name="东河村小学", village=world.v1)
    world.other_school = School.objects.create(township=world.other_township, name="西山小学")
    return world


def _post(world, **kwargs):  # type: ignore[no-untyped-def]
    values = {"actor": actor_for(world.office.user), "title": "公开", "content": "内容", "period_start": D(2026, 7, 1),
              "period_end": D(2026, 9, 30), "posted_on": D(2026, 10, 10)}
    with time_machine.travel(NOW, tick=False):
        return disclosure_create(**{**values, **kwargs})


def test_office_records_for_the_township_and_a_school_and_the_check_counts_them(
        domains, django_capture_on_commit_callbacks):
    gov = _post(domains, subject_kind=Subject.TOWNSHIP, requirement=domains.gov)
    edu = _post(domains, subject_kind=Subject.SCHOOL, school=domains.school, requirement=domains.edu)
    assert (gov.subject_kind, gov.village_id, gov.school_id, gov.township_id) == ("township", None, None,
                                                                                   domains.township.pk)
    assert (edu.subject_kind, edu.school_id, edu.domain) == ("school", domains.school.pk, "school_affairs")
    assert edu.subject_name == "东河镇中心小学" and gov.subject_name == "东河镇（镇本级）"

    with django_capture_on_commit_callbacks(execute=True):
        summary = disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=domains.township, today=AFTER_Q3)

    assert (summary.villages, summary.township_checks, summary.schools) == (3, 1, 2)
    assert summary.by_domain["government_affairs"] == {"on_time": 1, "late": 0, "missing": 0}
    assert summary.by_domain["school_affairs"] == {"on_time": 1, "late": 0, "missing": 1}
    township_check = DisclosureCheck.objects.get(subject_kind=Subject.TOWNSHIP)
    assert (township_check.village_id, township_check.on_time_count, township_check.missing_count) == (None, 1, 0)
    school_checks = {c.school.name: c for c in DisclosureCheck.objects.filter(subject_kind=Subject.SCHOOL)}
    assert school_checks["东河镇中心小学"].on_time_count == 1
    assert school_checks["东河村小学"].missing_count == 1
    assert not DisclosureCheck.objects.filter(school=domains.other_school).exists()
    # The office is told about the school's gap (a school has no village cadres).
    note = Notification.objects.get(recipient=domains.office.user, kind="disclosure_check")
    assert note.title == "东河村小学 2026年第3季度公开检查结果"

    again = disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=domains.township, today=AFTER_Q3)
    assert (again.checks_created, again.items_created) == (0, 0)
    assert "政务按时1项" in again.as_text() and "校务按时1项、逾期0项、缺项1项" in again.as_text()

    figures, gaps = disclosure_compliance(domains.township, _period())
    assert (figures["villages"], figures["township_checks"], figures["schools"]) == (3, 1, 2)
    by_domain = {d["domain"]: d for d in figures["by_domain"]}
    assert by_domain["government_affairs"] == {"domain": "government_affairs", "on_time": 1, "late": 0, "missing": 0}
    assert by_domain["school_affairs"]["missing"] == 1
    assert "东河村小学" in [g["village"] for g in gaps]


def _period():  # type: ignore[no-untyped-def]
    from bulletins.figures import Period

    return Period(D(2026, 10, 1), D(2026, 10, 31))


def test_no_township_or_school_check_without_their_requirements(world):
    School.objects.create(township=world.township, name="东河镇中心小学")
    summary = disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=world.township, today=AFTER_Q3)
    assert (summary.township_checks, summary.schools) == (0, 0)
    assert not DisclosureCheck.objects.exclude(subject_kind=Subject.VILLAGE).exists()


def test_the_offered_defaults_are_inactive_until_switched_on(world):
    offered = DisclosureRequirement.objects.filter(township__isnull=True, applies_to__in=["township", "school"])
    assert offered.count() == 6 and not offered.filter(is_active=True).exists()  # 0014 and 0018
    assert requirements_for(world.township.pk, Subject.SCHOOL) == []
    offered.filter(domain="school_affairs").update(is_active=True)
    assert [r.category for r in requirements_for(world.township.pk, Subject.SCHOOL)] == [
        "学校收费及学生资助", "营养餐及食堂经费"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subject_kind": "school", "domain": "government_affairs", "category": "x"}, "domain"),
        ({"subject_kind": "township", "domain": "school_affairs", "category": "x"}, "domain"),
        ({"subject_kind": "township", "domain": "village_affairs", "category": "x"}, "domain"),
        ({"subject_kind": "school", "domain": "school_affairs", "category": "x", "school": None}, "school"),
        ({"subject_kind": "village", "domain": "village_affairs", "category": "x", "village": None}, "village"),
        ({"subject_kind": "township", "requirement": "edu"}, "requirement"),
    ],
)
def test_subjects_inconsistent_with_the_domain_are_refused(domains, kwargs, field):
    from django.core.exceptions import ValidationError

    kwargs = dict(kwargs)
    if kwargs.get("requirement") == "edu":
        kwargs["requirement"] = domains.edu
    kwargs.setdefault("school", domains.school)
    kwargs.setdefault("village", domains.v1)
    with pytest.raises(ValidationError) as refused:
        _post(domains, **kwargs)
    assert field in refused.value.message_dict
    assert not Disclosure.objects.exists()


def test_only_the_office_posts_for_the_township_or_a_school(domains):
    with pytest.raises(NotAllowed):
        _post(domains, actor=actor_for(domains.village1.user), subject_kind=Subject.TOWNSHIP, requirement=domains.gov)
    with pytest.raises(NotAllowed):
        _post(domains, actor=actor_for(domains.office.user), subject_kind=Subject.SCHOOL, school=domains.other_school,
              domain="school_affairs", category="x")
    assert not Disclosure.objects.exists()


def test_the_database_refuses_two_subjects_or_a_school_item_without_a_school(domains):
    base = {"township": domains.township, "title": "t", "content": "c", "category": "c",
            "period_start": D(2026, 7, 1), "period_end": D(2026, 9, 30), "posted_on": D(2026, 10, 1)}
    for bad in (
        {"subject_kind": "village", "village": domains.v1, "school": domains.school, "domain": "village_affairs"},
        {"subject_kind": "township", "village": domains.v1, "domain": "government_affairs"},
        {"subject_kind": "township", "domain": "school_affairs"},
        {"subject_kind": "school", "school": domains.school, "domain": "village_affairs"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Disclosure.objects.create(**base, **bad)


def test_the_api_posts_for_a_school_and_lists_subject_fields(domains):
    client = api_client(domains.office.user)
    body = {"subject_kind": "school", "school": domains.school.pk, "requirement": domains.edu.pk, "title": "收费公示",
            "content": "内容", "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": "2026-10-10"}
    with time_machine.travel(NOW, tick=False):
        created = client.post("/api/v1/disclosures/", body, format="json")
        assert created.status_code == 201, created.content
        row = created.json()
        assert (row["subject_kind"], row["school"], row["village"], row["subject_name"]) == (
            "school", domains.school.pk, None, "东河镇中心小学")
        foreign = client.post("/api/v1/disclosures/", {**body, "school": domains.other_school.pk}, format="json")
        assert foreign.status_code == 400 and "school" in str(foreign.json())
        township = client.post("/api/v1/disclosures/", {**body, "subject_kind": "township", "school": None,
                                                         "requirement": domains.gov.pk}, format="json")
        assert township.status_code == 201 and township.json()["subject_name"] == "东河镇（镇本级）"
    listed = results(client.get("/api/v1/disclosures/?subject_kind=school"))
    assert [r["school"] for r in listed] == [domains.school.pk]
    assert Disclosure.objects.count() == 2


def test_schools_api_is_read_only_and_scoped_by_township(domains):
    names = {r["name"] for r in results(api_client(domains.cadre1.user).get("/api/v1/schools/"))}
    assert names == {"东河镇中心小学", "东河村小学"}
    assert api_client(domains.cadre1.user).get(f"/api/v1/schools/{domains.other_school.pk}/").status_code == 404
    assert api_client(domains.office.user).post("/api/v1/schools/", {"name": "x"}, format="json").status_code == 405


def test_school_save_is_the_offices_of_its_own_township(domains):
    office = actor_for(domains.office.user)
    school = school_save(actor=office, school=School(township=domains.township, name=" 东河镇初级中学 "))
    assert school.name == "东河镇初级中学"
    with pytest.raises(NotAllowed):
        school_save(actor=office, school=School(township=domains.other_township, name="外镇学校"))
    with pytest.raises(NotAllowed):
        school_save(actor=actor_for(domains.cadre1.user), school=School(township=domains.township, name="y"))
    from core.errors import DomainError

    with pytest.raises(DomainError):
        school_save(actor=office, school=School(township=domains.township, name="z", village=domains.v_other))
    assert not School.objects.filter(name__in=["外镇学校", "y", "z"]).exists()


def test_the_admin_lists_only_the_offices_township_schools(domains):
    domains.office.user.is_staff = True
    domains.office.user.save()
    page = page_client(domains.office.user).get("/admin/cadres/school/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "东河镇中心小学" in body and "西山小学" not in body
    assert page_client(domains.office.user).get(f"/admin/cadres/school/{domains.other_school.pk}/change/").status_code in (
        302, 404)


def test_the_staff_page_posts_for_the_township(domains):
    client = page_client(domains.office.user)
    with time_machine.travel(NOW, tick=False):
        form = client.get("/disclosures/new/")
        assert "东河镇中心小学" in form.content.decode()
        response = client.post("/disclosures/new/", {
            "subject_kind": "township", "requirement": domains.gov.pk, "title": "项目公示", "content": "内容",
            "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": "2026-10-10", "channel": "website",
            "display_days": 10})
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure = Disclosure.objects.get()
    assert (disclosure.subject_kind, disclosure.village_id) == ("township", None)
    detail = client.get(response["Location"]).content.decode()
    assert "东河镇（镇本级）" in detail


def test_a_village_cadre_is_offered_no_other_subject(domains):
    form = page_client(domains.village1.user).get("/disclosures/new/").content.decode()
    assert "东河镇中心小学" not in form and 'name="subject_kind"' not in form


def test_the_overview_lists_the_township_and_school_rows(domains):
    _post(domains, subject_kind=Subject.TOWNSHIP, requirement=domains.gov)
    disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=domains.township, today=AFTER_Q3)
    with time_machine.travel(dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC), tick=False):
        page = page_client(domains.office.user).get("/disclosures/?quarter=2026Q3&year=2026").content.decode()
    assert "东河镇（镇本级）" in page and "东河村小学" in page
    assert Township.objects.count() == 2


def test_the_leaders_disclosure_chart_names_the_township_and_the_schools_beside_the_villages(
        domains, settings, django_capture_on_commit_callbacks):
    """A quarter checked with township and school subjects: the chart labels them (it once
    assumed every check was a village's, and the dashboard answered 500)."""
    settings.DASHBOARD_FIGURES_SECONDS = 0
    _post(domains, subject_kind=Subject.TOWNSHIP, requirement=domains.gov)
    with django_capture_on_commit_callbacks(execute=True):
        disclosure_check_run(actor=SYSTEM, year=2026, quarter=3, township=domains.township, today=AFTER_Q3)

    with time_machine.travel(NOW, tick=False):
        response = page_client(domains.secretary.user).get("/")

    assert response.status_code == 200
    body = response.content.decode()
    for label in ("镇本级", "东河镇中心小学", "东河村"):
        assert label in body
