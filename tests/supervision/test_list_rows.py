"""The pledge, disclosure and inspection lists build their pages by hand from `.values()` rows
(pledge_rows, disclosure_rows, inspection_rows): each page must be exactly what the serializers
give, field by field through DRF, for every role that reads them."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.db import connection
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from cadres.models import School
from cadres.roles import ANONYMOUS, actor_for
from core.query_memo import forget_kept
from supervision.api.serializers.disclosures import DisclosureSerializer
from supervision.api.serializers.inspections import (
    InspectionSerializer,
    inspection_page,
    inspection_rows,
    inspection_values,
)
from supervision.api.serializers.pledges import (
    PledgeSerializer,
    pledge_page,
    pledge_rows,
    pledge_values,
    pledge_values_page,
    target_dicts,
    target_json,
    target_rows,
)
from supervision.models import Disclosure, Inspection, InspectionFinding, Pledge, PledgeTarget, TargetAssessment, TargetProgress
from supervision.selectors.disclosures import disclosures_for
from supervision.selectors.inspections import inspection_list, inspections_in_scope, inspections_scope_key
from supervision.selectors.pledges import pledge_list, pledge_list_with_targets, pledges_in_scope, pledges_scope_key
from supervision.services import pledges as svc
from tests import factories as f
from tests.helpers import api_client

pytestmark = pytest.mark.django_db

ROLES = ["secretary", "cadre1", "office", "inspector", "village1", "reporter", "county"]
MOMENT = dt.datetime(2026, 10, 12, 1, 2, 3, 456789, tzinfo=dt.UTC)


@pytest.fixture
def lists(world):  # type: ignore[no-untyped-def]
    """Rows of every shape the lists print: each pledger kind, signed and assessed pledges with
    progress and scores, disclosures of a village, a school and the township (one with a photo),
    inspections of each subject with several inspectors, findings with and without a matter."""
    county = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=county, township=None)
    world.users["county"] = county
    office = actor_for(world.office.user)

    villages: list[Any] = [world.v1, world.v2]
    svc.pledge_issue_from_template(template=f.pledge_template(world.township, "village"), pledgers=villages, actor=office)
    svc.pledge_issue_from_template(template=f.pledge_template(world.township, "unit"), pledgers=[world.unit], actor=office)
    svc.pledge_issue_from_template(template=f.pledge_template(world.township, "staff"), pledgers=[world.cadre1], actor=office)
    signed = Pledge.objects.get(pledger_village=world.v1)
    svc.pledge_sign(pledge=signed, actor=actor_for(world.village1.user))
    Pledge.objects.filter(pk=signed.pk).update(
        total_score=Decimal("92.5"), grade="excellent", assessed_at=MOMENT, scan="pledges/2026/scan.pdf"
    )
    targets = list(PledgeTarget.objects.filter(pledge=signed).order_by("order", "id"))
    for quarter in (2, 1):
        TargetProgress.objects.create(target=targets[0], quarter=quarter, report=f"第{quarter}季度进展")
    TargetProgress.objects.create(target=targets[1], quarter=1, report="进展")
    TargetAssessment.objects.create(target=targets[0], score=Decimal("57.5"), deduction=Decimal("2.5"), note="扣分")
    TargetAssessment.objects.create(target=targets[1], failed=True)

    school = School.objects.create(township=world.township, name="东河镇中心小学")
    f.DisclosureFactory(village=world.v1, photo="disclosures/2026/10/board.jpg", decision_date=dt.date(2026, 9, 1))
    f.DisclosureFactory(village=world.v2, channel="wechat")
    f.DisclosureFactory(village=None, township=world.township, subject_kind="school", school=school, domain="school_affairs")
    f.DisclosureFactory(village=None, township=world.township, subject_kind="township", domain="government_affairs")

    about_village: Any = f.InspectionFactory(township=world.township, subject_village=world.v1, published_at=MOMENT)
    about_village.inspectors.add(world.inspector, world.secretary)
    finding = f.InspectionFindingFactory(
        inspection=about_village, rectification_deadline=dt.date(2026, 11, 1), rectified_at=MOMENT, rectification_report="已整改"
    )
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=finding)
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=finding)
    f.InspectionFindingFactory(inspection=about_village, category="other", action="")
    unannounced: Any = f.InspectionFactory(
        township=world.township, kind="unannounced", subject_type="cadre", subject_village=None, subject_cadre=world.cadre1
    )
    unannounced.inspectors.add(world.inspector)
    f.InspectionFindingFactory(inspection=unannounced)
    f.InspectionFactory(
        township=world.township,
        subject_type="unit",
        subject_village=None,
        subject_unit=world.unit,
        published_at=MOMENT,
        closed_at=timezone.now(),
    )
    return world


def _generic(serializer: Any, rows: Any) -> bytes:
    return JSONRenderer().render([serializer().generic_representation(row) for row in rows])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ROLES)
def test_the_hand_built_lists_answer_what_the_serializers_answer(lists, who, language):
    user = lists.users[who]
    actor = actor_for(user)
    with translation.override(language):
        expected = _expected(actor)
    client = api_client(user)
    for url, generic in expected.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        # Through one renderer, so the comparison holds keys, their order and every value's type.
        assert JSONRenderer().render(json.loads(response.content)["results"]) == generic, url


def _expected(actor: Any) -> dict[str, bytes]:
    return {
        "/api/v1/pledges/": _generic(
            PledgeSerializer, pledge_list_with_targets(actor).prefetch_related("targets__progress")[:50]
        ),
        "/api/v1/disclosures/": _generic(
            DisclosureSerializer, disclosures_for(actor).select_related("village", "school", "township").order_by("-id")[:50]
        ),
        "/api/v1/inspections/": _generic(InspectionSerializer, inspection_list(actor).prefetch_related("findings__matters")[:50]),
    }


def test_the_pledge_page_is_the_bytes_the_serializer_renders_to(lists):
    """The targets PostgreSQL writes are copied into the answer as they are: the page's bytes are
    the serializer's output through the API's renderer, not only equal once parsed."""
    user = lists.users["secretary"]
    with translation.override("en"):
        rows = [PledgeSerializer().generic_representation(row)
                for row in pledge_list_with_targets(actor_for(user)).prefetch_related("targets__progress")[:50]]
    body = api_client(user).get("/api/v1/pledges/", HTTP_ACCEPT_LANGUAGE="en").content
    head = b'{"count":%d,"next":null,"previous":null,"results":' % len(rows)
    assert len(rows) == 4
    assert body == head + JSONRenderer().render(rows) + b"}"


@pytest.mark.parametrize("url", ["/api/v1/pledges/", "/api/v1/inspections/"])
def test_an_indented_page_holds_the_same_rows(lists, url):
    """An indented answer (and the browsable API) goes through DRF's own encoder, which reads the
    database's JSON text back."""
    client = api_client(lists.users["secretary"])
    compact = client.get(url)
    indented = client.get(url, HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "results": [' in indented.content
    assert json.loads(indented.content) == json.loads(compact.content)
    assert len(json.loads(compact.content)["results"]) >= 3
    browsable = client.get(url, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and b"&quot;results&quot;" in browsable.content


ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the targets' JSON is PostgreSQL's")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_targets_json_is_what_the_targets_render_to(lists, language):
    """target_json against target_dicts through orjson, byte for byte: each value's format
    (decimals, labels, nulls, escaped text, timestamps with and without microseconds, either
    side of a daylight-saving change and before 1901) in several zones."""
    signed = Pledge.objects.get(pledger_village=lists.v1)
    targets = list(PledgeTarget.objects.filter(pledge=signed).order_by("order", "id"))
    PledgeTarget.objects.filter(pk=targets[2].pk).update(
        task='引号" 反斜杠\\ 换行\n 制表\t \x01 \u2028 😀', indicator="", assessing_unit=None, auto_source="plan"
    )
    TargetAssessment.objects.create(target=targets[2], score=Decimal("0"), bonus=Decimal("10.5"), note="</script>")
    moments = [dt.datetime(2026, 3, 8, 6, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=dt.UTC),
               dt.datetime(1900, 1, 1, 0, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 5, 30, 0, tzinfo=dt.UTC)]
    for quarter, moment in enumerate(moments, start=1):
        progress = TargetProgress.objects.create(target=targets[2], quarter=quarter, report=f"报告\r\n{quarter}")
        TargetProgress.objects.filter(pk=progress.pk).update(at=moment)
    ids = [*Pledge.objects.order_by("id").values_list("id", flat=True), 0]
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        with translation.override(language), timezone.override(zone):
            written = target_json(ids, connection=connection, zone=zone)
            built = target_dicts(ids)
        rendered = {pk: orjson.dumps(rows) for pk, rows in built.items()}
        assert {pk: text.text.encode() for pk, text in written.items()} == rendered, name
    assert sum(len(rows) for rows in built.values()) == PledgeTarget.objects.count()
    assert written[0].text == "[]"


def _awkward_pledges(world: Any) -> None:
    """Pledge values whose text PostgreSQL must write as Python does: escaped titles and names, an
    empty name, timestamps with and without microseconds, either side of a daylight-saving change
    and before 1901, no score, a zero score."""
    world.v2.name = '村"名\\ \n\t \x01 \u2028 😀'
    world.v2.save(update_fields=["name"])
    world.unit.name = ""
    world.unit.save(update_fields=["name"])
    pledges = list(Pledge.objects.order_by("id"))
    Pledge.objects.filter(pk=pledges[0].pk).update(
        title='标题 "引号" </script> \\ \r\n', issued_at=dt.datetime(2026, 3, 8, 6, 59, 59, tzinfo=dt.UTC),
        countersigned_at=dt.datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=dt.UTC), bonus_cap=Decimal("0.0"),
    )
    Pledge.objects.filter(pk=pledges[1].pk).update(
        title="", signed_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC), total_score=Decimal("0"), grade="fail",
        assessed_at=dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pledge_page_is_the_serializers_in_every_zone(lists, language):
    """The page's bytes in several zones (PostgreSQL writes each row's JSON itself): the
    serializer's output through the API's renderer, for the leader and a role with fewer rows."""
    _awkward_pledges(lists)
    for name in ZONES:
        for who in ("secretary", "village1"):
            user = lists.users[who]
            with translation.override(language), timezone.override(zoneinfo.ZoneInfo(name)):
                rows = [PledgeSerializer().generic_representation(row)
                        for row in pledge_list_with_targets(actor_for(user)).prefetch_related("targets__progress")]
                body = api_client(user).get("/api/v1/pledges/", HTTP_ACCEPT_LANGUAGE=language).content
            head = b'{"count":%d,"next":null,"previous":null,"results":' % len(rows)
            assert body == head + JSONRenderer().render(rows) + b"}", (name, who)
    assert Pledge.objects.filter(grade="fail").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows' JSON is PostgreSQL's")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pledge_json_is_what_the_pledge_rows_render_to(lists, language):
    """pledge_page's text against pledge_rows through orjson, byte for byte, in several zones, for
    every role, whole and sliced."""
    _awkward_pledges(lists)
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        for who in ROLES:
            qs = pledge_list(actor_for(lists.users[who]))
            for index in (slice(0, 50), slice(1, 3)):
                with translation.override(language), timezone.override(zone):
                    written = pledge_page(qs)[index]
                    built = pledge_rows(list(pledge_values(qs)[index]))
                # pledge_rows' targets are target_json's text here (checked on their own above).
                rendered = [orjson.dumps(row, default=lambda text: orjson.Fragment(text.text)) for row in built]
                assert [text.text.encode() for text in written] == rendered, (name, who)
    assert len(pledge_page(pledge_list(actor_for(lists.users["secretary"])))[0:50]) == Pledge.objects.count()


def test_pledge_pages_hold_the_filtered_rows_in_order(lists):
    """Paging and filtering reach the page's statement: each page holds the next rows of the
    filtered scope in pledge_list's order, and a scope that admits nothing reads no page."""
    client = api_client(lists.users["secretary"])
    everything = [row["id"] for row in client.get("/api/v1/pledges/").json()["results"]]
    assert everything == list(pledge_list(actor_for(lists.users["secretary"])).values_list("id", flat=True))
    paged = [client.get(f"/api/v1/pledges/?page_size=1&page={n}").json()["results"] for n in (1, 2, 3, 4)]
    assert [row["id"] for rows in paged for row in rows] == everything
    issued = client.get("/api/v1/pledges/?status=issued&level=village").json()
    assert issued["count"] == 1
    assert [row["pledger_name"] for row in issued["results"]] == [lists.v2.name]
    assert client.get("/api/v1/pledges/?year=2001").json() == {"count": 0, "next": None, "previous": None,
                                                               "results": []}
    nothing = pledge_values_page(pledge_list(ANONYMOUS))
    assert (nothing.count(), list(nothing[0:50])) == (0, [])
    if connection.vendor == "postgresql":
        nothing_written = pledge_page(pledge_list(ANONYMOUS))
        assert (nothing_written.count(), nothing_written[0:50]) == (0, [])


def test_a_pledge_page_in_another_order_is_refused(lists):
    """The page's statement writes pledge_list's order only."""
    with pytest.raises(ValueError, match="this page writes its rows in"):
        pledge_page(pledge_list(actor_for(lists.users["secretary"])).order_by("-id"))


def test_the_pledge_scope_key_admits_what_the_role_may_read(lists):
    """Equal keys, equal pledges: the unfiltered list keeps one page source per key, and the
    scope is built from the key alone, so each role's pledges are checked against the design
    (§4) and roles that see different pledges against having different keys."""
    pledgers = {p.pk: str(p.pledger_village or p.pledger_unit or p.pledger_cadre) for p in Pledge.objects.all()}
    everyone = {"东河村", "光明路村", "农业服务中心", lists.cadre1.name}
    expected = {"secretary": everyone, "office": everyone, "inspector": everyone, "county": everyone,
                "reporter": everyone - {lists.cadre1.name},  # no per-cadre pledge
                "cadre1": {lists.cadre1.name}, "village1": {"东河村"}}
    keys = {who: pledges_scope_key(actor_for(lists.users[who])) for who in ROLES}
    for who, key in keys.items():
        assert {pledgers[pk] for pk in pledges_in_scope(key).values_list("id", flat=True)} == expected[who], who
    for who in ROLES:
        for other in ROLES:
            if expected[who] != expected[other]:
                assert keys[who] != keys[other], (who, other)
    assert keys["secretary"] == keys["office"] == keys["inspector"]


def test_a_kept_pledge_page_reads_todays_rows(lists):
    """The kept page source holds statements, not rows: a pledge changed after it was kept shows
    changed on the next page, and a pledge removed is gone from it and from the count."""
    forget_kept()
    client = api_client(lists.users["secretary"])
    before = client.get("/api/v1/pledges/").json()
    pledge = Pledge.objects.get(pledger_village=lists.v2)
    Pledge.objects.filter(pk=pledge.pk).update(title="改过的标题")
    changed = {row["id"]: row["title"] for row in client.get("/api/v1/pledges/").json()["results"]}
    assert changed[pledge.pk] == "改过的标题" != {row["id"]: row["title"] for row in before["results"]}[pledge.pk]
    Pledge.objects.filter(pk=pledge.pk).delete()
    after = client.get("/api/v1/pledges/").json()
    assert after["count"] == before["count"] - 1 and pledge.pk not in {row["id"] for row in after["results"]}


def test_an_empty_page_reads_no_targets(lists, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert target_rows([]) == {}


def test_the_fixture_gives_every_role_something_to_compare(lists):
    """The comparison above is only as good as the rows it sees."""
    leader = actor_for(lists.users["secretary"])
    assert {p.pledger_type for p in pledge_list_with_targets(leader)} == {"village", "unit", "cadre"}
    assert set(disclosures_for(leader).values_list("subject_kind", flat=True)) == {"village", "school", "township"}
    assert Disclosure.objects.exclude(photo="").count() == 1
    assert {i.subject_type for i in inspection_list(leader)} == {"village", "cadre", "unit"}
    for who in ROLES:
        actor = actor_for(lists.users[who])
        assert pledge_list_with_targets(actor).exists() or inspection_list(actor).exists(), who
        assert disclosures_for(actor).exists() or who in ("inspector",), who


def test_a_filter_parameter_still_filters(lists):
    """The lists skip the filter backends when only paging is asked for; a filter still applies."""
    client = api_client(lists.users["secretary"])
    unit = client.get("/api/v1/pledges/?level=unit").json()
    assert [row["pledger_type"] for row in unit["results"]] == ["unit"]
    assert unit["count"] == 1  # the count is the filtered scope's (CountedRows), as the rows are
    first = client.get("/api/v1/pledges/?page_size=1").json()
    assert (first["count"], len(first["results"])) == (Pledge.objects.count(), 1)
    closed = client.get("/api/v1/inspections/?closed=true").json()["results"]
    assert [row["subject_type"] for row in closed] == ["unit"]
    assert client.get("/api/v1/inspections/?kind=bogus").status_code == 400
    school = client.get("/api/v1/disclosures/?subject_kind=school&page_size=1").json()["results"]
    assert [row["subject_name"] for row in school] == ["东河镇中心小学"]
    assert Inspection.objects.count() == 3


def _awkward_inspections(world: Any) -> None:
    """Inspection values whose text PostgreSQL must write as Python does: escaped titles, summaries,
    subject names and findings, an empty name, timestamps with and without microseconds, either
    side of a daylight-saving change and before 1901, a finding without a deadline or an action."""
    world.v1.name = '村"名\\ \n\t \x01 \u2028 😀'
    world.v1.save(update_fields=["name"])
    world.unit.name = ""
    world.unit.save(update_fields=["name"])
    about_village, unannounced, about_unit = Inspection.objects.order_by("id")
    Inspection.objects.filter(pk=about_village.pk).update(
        title='标题 "引号" </script> \\ \r\n', summary="摘要\u2029\x1f", date=dt.date(2026, 3, 8),
        published_at=dt.datetime(2026, 3, 8, 6, 59, 59, tzinfo=dt.UTC),
        closed_at=dt.datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=dt.UTC),
    )
    Inspection.objects.filter(pk=about_unit.pk).update(
        title="", published_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC), closed_at=dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC),
    )
    InspectionFinding.objects.filter(inspection=unannounced).update(
        description='描述 "\\ \n 😀', rectification_report="</script>\t", rectification_deadline=None,
        rectified_at=dt.datetime(2026, 11, 1, 5, 30, 0, 7, tzinfo=dt.UTC), action="",
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_inspection_page_is_the_serializers_in_every_zone(lists, language):
    """The page's bytes in several zones (on PostgreSQL each row's JSON is the database's): the
    serializer's output through the API's renderer, for every role."""
    _awkward_inspections(lists)
    for name in ZONES:
        for who in ROLES:
            user = lists.users[who]
            with translation.override(language), timezone.override(zoneinfo.ZoneInfo(name)):
                rows = [InspectionSerializer().generic_representation(row)
                        for row in inspection_list(actor_for(user)).prefetch_related("findings__matters")]
                body = api_client(user).get("/api/v1/inspections/", HTTP_ACCEPT_LANGUAGE=language).content
            head = b'{"count":%d,"next":null,"previous":null,"results":' % len(rows)
            assert body == head + JSONRenderer().render(rows) + b"}", (name, who)
    assert {len(inspection_list(actor_for(lists.users[who]))) for who in ROLES} >= {0, 1, 3}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rows' JSON is PostgreSQL's")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_inspection_json_is_what_the_inspection_rows_render_to(lists, language):
    """inspection_page's text against inspection_rows through orjson, byte for byte, in several
    zones, for every role, whole and sliced, with the findings' matters."""
    _awkward_inspections(lists)
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        for who in ROLES:
            qs = inspection_list(actor_for(lists.users[who])).prefetch_related(None)
            for index in (slice(0, 50), slice(1, 3), slice(2, 3)):
                with translation.override(language), timezone.override(zone):
                    written = inspection_page(qs)[index]
                    built = inspection_rows(list(inspection_values(qs)[index]))
                assert [text.text.encode() for text in written] == [orjson.dumps(row) for row in built], (name, who)
    matters = [f["matter"] for row in built for f in row["findings"]]
    assert any(matters) and None in matters


def test_inspection_pages_hold_the_filtered_rows_in_order(lists):
    """Paging and filtering reach the page's statements: each page holds the next rows of the
    filtered scope in inspection_list's order, the count is the filtered scope's, and a scope
    that admits nothing reads nothing."""
    client = api_client(lists.users["secretary"])
    everything = [row["id"] for row in client.get("/api/v1/inspections/").json()["results"]]
    assert everything == list(inspection_list(actor_for(lists.users["secretary"])).values_list("id", flat=True))
    paged = [client.get(f"/api/v1/inspections/?page_size=1&page={n}").json() for n in (1, 2, 3)]
    assert [row["id"] for page in paged for row in page["results"]] == everything
    assert {page["count"] for page in paged} == {3}
    assert client.get("/api/v1/inspections/?page_size=1&page=4").status_code == 404
    unannounced = client.get("/api/v1/inspections/?kind=unannounced").json()
    assert (unannounced["count"], [row["confidential"] for row in unannounced["results"]]) == (1, [True])
    assert client.get("/api/v1/inspections/?start=2030-01-01").json() == {
        "count": 0, "next": None, "previous": None, "results": []}
    nothing = inspection_page(inspection_list(ANONYMOUS))
    assert (nothing.count(), nothing[0:50]) == (0, [])


def test_an_inspection_page_in_another_order_is_refused(lists):
    with pytest.raises(ValueError, match="this page writes its rows in"):
        inspection_page(inspection_list(actor_for(lists.users["secretary"])).order_by("id"))


def test_the_scope_key_admits_what_the_role_may_read(lists):
    """Equal keys, equal inspections: the unfiltered list keeps one page source per key, so a
    key must tell apart every two log-ins that see different inspections."""
    keys = {who: inspections_scope_key(actor_for(lists.users[who])) for who in ROLES}
    for who, key in keys.items():
        expected = set(inspection_list(actor_for(lists.users[who])).values_list("id", flat=True))
        assert set(inspections_in_scope(key).values_list("id", flat=True)) == expected, who
    seen = {who: frozenset(inspections_in_scope(key).values_list("id", flat=True)) for who, key in keys.items()}
    for a in ROLES:
        for b in ROLES:
            if seen[a] != seen[b]:
                assert keys[a] != keys[b], (a, b)
    assert keys["secretary"] == keys["inspector"]  # the township's inspections, one source for both
    assert seen["office"] < seen["secretary"]  # not the unannounced one before its 通报
    assert seen["cadre1"] == set() and seen["village1"] == {Inspection.objects.get(subject_type="village").pk}


def test_a_kept_page_source_reads_todays_rows(lists):
    """The kept page source holds statements, not rows: an inspection recorded after it was kept
    is on the next page, and another township's leader never gets this one's source."""
    forget_kept()
    client = api_client(lists.users["secretary"])
    before = client.get("/api/v1/inspections/").json()
    added: Any = f.InspectionFactory(township=lists.township, subject_village=lists.v2, date=dt.date(2026, 12, 1))
    after = client.get("/api/v1/inspections/").json()
    assert (after["count"], after["results"][0]["id"]) == (before["count"] + 1, added.pk)
    other = f.TownshipFactory()
    stranger = f.UserFactory(username="other_secretary", groups=["leader"])
    f.MembershipFactory(user=stranger, township=other)
    f.InspectionFactory(township=other, subject_village=f.VillageFactory(township=other))
    theirs = api_client(stranger).get("/api/v1/inspections/").json()
    assert theirs["count"] == 1 and theirs["results"][0]["id"] not in {row["id"] for row in after["results"]}
