"""Sync sees every change (security issue #15): an indexed `updated_at` that every write path moves.

`updated_since=` used to read the history tables, so rows written without a history row — the
demo data, `QuerySet.update()`, `bulk_create()`, `bulk_update()` — never reached a syncing
system. Now every synced model carries `updated_at` (core.stamps.Stamped).
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from cadres.models import Cadre, Household, Village
from cadres.roles import SYSTEM, actor_for
from core.stamps import Stamped
from portal.apikeys import api_key_create
from portal.sync import registered_resources
from tests import factories as f

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
# Every resource the API syncs, and its model.
SYNCED = {
    "townships": "cadres.Township", "villages": "cadres.Village", "units": "cadres.Unit", "cadres": "cadres.Cadre",
    "households": "cadres.Household", "assignments": "cadres.VillageAssignment",
    "contacts": "cadres.HouseholdContact", "trainings": "cadres.Training", "diaries": "supervision.Diary",
    "matters": "supervision.Matter", "pledges": "supervision.Pledge", "disclosures": "supervision.Disclosure",
    "disclosure-checks": "supervision.DisclosureCheck", "inspections": "supervision.Inspection",
    "bulletins": "bulletins.Bulletin", "plans": "supervision.Plan", "plan-milestones": "supervision.PlanMilestone",
    "schools": "cadres.School", "agenda-items": "supervision.AgendaItem",
}


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    cache.clear()


def user_client(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def key_client(township: Any) -> APIClient:
    _key, raw = api_key_create(name="县数据平台", township=township, created_by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return api


def age(*objs: Model) -> None:
    """Pretend these rows were last written long ago (history and stamp)."""
    for obj in objs:
        type(obj)._base_manager.filter(pk=obj.pk).update(updated_at=LONG_AGO)
        obj.history.all().update(history_date=LONG_AGO)  # type: ignore[attr-defined]


def age_all(*models: type[Model]) -> None:
    """Pretend every row of these models was last written long ago."""
    for model in models:
        model._base_manager.update(updated_at=LONG_AGO)
        model.history.all().update(history_date=LONG_AGO)  # type: ignore[attr-defined]


def synced(api: APIClient, resource: str, since: datetime) -> set[int]:
    """The ids a sync since `since` fetches, every page followed."""
    ids: set[int] = set()
    url: str | None = f"/api/v1/{resource}/"
    params: dict[str, Any] | None = {"updated_since": since.isoformat(), "page_size": 200}
    while url:
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {row["id"] for row in body["results"]}
        url, params = body["next"], None
    return ids


def listed(user: Any, resource: str, *, since: datetime | None) -> set[int]:
    """The ids the resource's list would answer the user, every page at once (the view's own
    queryset and filters, without paging through thousands of rows over HTTP)."""
    viewset = registered_resources()[resource]
    query = {"updated_since": since.isoformat()} if since else {}
    request = Request(APIRequestFactory().get(f"/api/v1/{resource}/", query))
    request.user = user
    view = viewset(request=request, args=(), kwargs={}, format_kwarg=None, action="list")
    return set(view.filter_queryset(view.get_queryset()).values_list("pk", flat=True))


# --- (a) a first sync of the demo returns everything the caller may read -------------------------------


def test_a_first_sync_of_the_demo_returns_every_row_the_caller_may_read(db, django_user_model):
    # given the demo township, much of it written in bulk without history rows
    call_command("seed_demo", "--password", "demo-password-123", "--seed", "7")
    users = {name: django_user_model.objects.get(username=name) for name in ("office", "reporter")}

    # when each of them syncs every resource since 2000
    since = datetime(2000, 1, 1, tzinfo=UTC)
    missing = {}
    sizes = {}
    for name, user in users.items():
        for resource in SYNCED:
            everything = listed(user, resource, since=None)
            changed = listed(user, resource, since=since)
            sizes[name, resource] = len(everything)
            if changed != everything:
                missing[name, resource] = len(everything - changed)

    # then nothing is left out, and the demo's bulk-written rows are there to be read
    assert missing == {}
    assert sizes["office", "households"] == Household.objects.count() > 0
    assert sizes["reporter", "diaries"] > 0 and sizes["office", "matters"] > 0
    # and over HTTP: the same count with and without updated_since
    api = user_client(users["reporter"])
    full = api.get("/api/v1/households/").json()["count"]
    assert api.get("/api/v1/households/", {"updated_since": "2000-01-01"}).json()["count"] == full
    assert full == sizes["reporter", "households"]


# --- (b) every bulk write path moves the stamp -----------------------------------------------------


def test_a_queryset_update_moves_the_stamp(world):
    age_all(Household)
    since = timezone.now() - timedelta(seconds=1)

    Household.objects.filter(pk=world.h1.pk).update(note="改")

    assert synced(key_client(world.township), "households", since) == {world.h1.pk}


def test_an_explicit_stamp_in_an_update_is_kept(world):
    Household.objects.filter(pk=world.h1.pk).update(note="改", updated_at=LONG_AGO)

    world.h1.refresh_from_db()
    assert world.h1.updated_at == LONG_AGO


def test_bulk_update_moves_the_stamp(world):
    age_all(Village)
    since = timezone.now() - timedelta(seconds=1)
    world.v1.name = "新东河村"

    Village.objects.bulk_update([world.v1], ["name"])

    assert synced(key_client(world.township), "villages", since) == {world.v1.pk}


def test_bulk_create_stamps_the_new_rows(world):
    age_all(Household)
    since = timezone.now() - timedelta(seconds=1)

    rows = Household.objects.bulk_create([Household(village=world.v1, head_name="孙七", members=3)])

    assert rows[0].updated_at >= since
    assert synced(key_client(world.township), "households", since) == {rows[0].pk}


def test_save_with_update_fields_moves_the_stamp(world):
    age_all(Cadre)
    since = timezone.now() - timedelta(seconds=1)
    world.cadre1.phone = "13800000000"

    world.cadre1.save(update_fields=["phone"])

    assert synced(key_client(world.township), "cadres", since) == {world.cadre1.pk}


def test_matter_escalation_by_the_daily_job_moves_the_stamp(world):
    from supervision.services.matters import matters_escalate_overdue

    today = timezone.localdate()
    matter = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre2, status="in_progress",
                             deadline=today - dt.timedelta(days=2))
    age(matter)
    since = timezone.now() - timedelta(seconds=1)

    assert matters_escalate_overdue(today=today, actor=SYSTEM) == 1

    assert synced(user_client(world.users["office"]), "matters", since) == {matter.pk}


def test_a_cadre_transfer_moves_the_stamp_of_everything_it_hands_over(world):
    from cadres.models import HouseholdContact, VillageAssignment
    from cadres.services import cadre_transfer

    matter = f.MatterFactory(village=world.v2, unit=world.unit, assignee=world.cadre2, status="assigned")
    contacts = list(HouseholdContact.objects.filter(cadre=world.cadre2))
    assignments = list(VillageAssignment.objects.filter(cadre=world.cadre2))
    age(matter, world.cadre1, world.cadre2, *contacts, *assignments)
    since = timezone.now() - timedelta(seconds=1)

    cadre_transfer(cadre=world.cadre2, successor=world.cadre1, date=timezone.localdate(), actor=SYSTEM)

    office = user_client(world.users["office"])
    assert synced(office, "matters", since) == {matter.pk}
    assert world.cadre2.pk in synced(office, "cadres", since)
    assert {c.pk for c in contacts} <= synced(office, "contacts", since)
    assert {a.pk for a in assignments} <= synced(office, "assignments", since)


def test_saving_a_villages_groups_moves_the_villages_stamp(world):
    from cadres.services import village_save

    age_all(Village)
    since = timezone.now() - timedelta(seconds=1)

    village_save(village=Village.objects.get(pk=world.v1.pk), groups=["一组", "二组"], actor=SYSTEM)

    assert synced(key_client(world.township), "villages", since) == {world.v1.pk}


def test_the_county_bulletin_compile_moves_the_stamp(world):
    from bulletins.models import Bulletin
    from bulletins.services import bulletin_compile_county, previous_month_of

    start, end = previous_month_of(timezone.localdate())
    first = bulletin_compile_county(start=start, end=end, township_ids=[world.township.pk], actor=SYSTEM).bulletins
    age(*first)
    since = timezone.now() - timedelta(seconds=1)

    again = bulletin_compile_county(start=start, end=end, township_ids=[world.township.pk], actor=SYSTEM).bulletins

    assert [b.pk for b in again] == [b.pk for b in first]
    assert synced(user_client(world.users["office"]), "bulletins", since) == {first[0].pk}
    assert Bulletin.objects.get(pk=first[0].pk).updated_at >= since


def test_a_personal_data_erasure_reaches_the_next_sync(world):
    from portal.privacy import household_erase

    age_all(Household)
    since = timezone.now() - timedelta(seconds=1)

    household_erase(household=world.h1, actor=actor_for(world.users["office"]))

    assert synced(key_client(world.township), "households", since) == {world.h1.pk}


# --- (c) the index, and the cost of a sync page ---------------------------------------------------------


def test_every_synced_model_has_an_updated_at_index_and_its_history_none(db):
    from django.apps import apps

    def indexed(table: str) -> bool:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        return any(c["index"] and c["columns"] == ["updated_at"] for c in constraints.values())

    models = [apps.get_model(label) for label in SYNCED.values()]

    assert set(registered_resources()) == set(SYNCED)
    assert all(issubclass(model, Stamped) for model in models)
    assert {m._meta.label: indexed(m._meta.db_table) for m in models} == {m._meta.label: True for m in models}
    assert [m._meta.label for m in models if indexed(m.history.model._meta.db_table)] == []  # type: ignore[attr-defined]


def test_the_sync_filter_is_one_range_on_the_stamp(world):
    since = timezone.now() - timedelta(minutes=5)

    with CaptureQueriesContext(connection) as queries:
        key_client(world.township).get("/api/v1/households/", {"updated_since": since.isoformat()})

    listing = [q["sql"] for q in queries.captured_queries if 'FROM "cadres_household"' in q["sql"]]
    assert listing and all('"cadres_household"."updated_at" >=' in sql for sql in listing)
    assert not any("historicalhousehold" in sql for sql in listing)


@pytest.mark.parametrize("resource", ["households", "matters", "diaries"])
def test_a_sync_page_costs_the_same_at_one_and_at_fifty_rows(world, resource):
    api = user_client(world.users["office"])
    api.get("/api/v1/me/")
    make = {
        "households": lambda: f.HouseholdFactory(village=world.v1),
        "matters": lambda: f.MatterFactory(village=world.v1),
        "diaries": lambda: f.DiaryFactory(author=f.CadreFactory(township=world.township), village=world.v1),
    }[resource]
    since = timezone.now()
    make()

    with CaptureQueriesContext(connection) as one:
        assert len(api.get(f"/api/v1/{resource}/", {"updated_since": since.isoformat()}).json()["results"]) == 1
    for _ in range(49):
        make()
    with CaptureQueriesContext(connection) as fifty:
        assert len(api.get(f"/api/v1/{resource}/", {"updated_since": since.isoformat()}).json()["results"]) == 50

    assert len(fifty) == len(one)


# --- the benchmark's generated data -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_benchmark_generator_stamps_its_rows_as_it_dates_them():
    from bench.generate import Scale, _at, generate
    from cadres.models import Township, Unit

    end = dt.date(2026, 6, 30)
    tiny = Scale("tiny", 300, townships=2, villages=3, groups=2, units=2, staff=4, village_cadres=1, households=12)

    generate(scale=tiny, seed=5, end=end, out=lambda _line: None)

    stamps = {model.__name__: set(model.objects.values_list("updated_at", flat=True))
              for model in (Township, Village, Unit, Cadre, Household)}
    assert stamps == {name: {_at(end, 20)} for name in stamps}


# --- nested children ------------------------------------------------------------------------------------


def test_a_finding_added_to_an_inspection_reaches_the_next_sync_of_inspections(world):
    from supervision.models import Inspection

    inspection = f.InspectionFactory(township=world.township, subject_village=world.v1)
    age_all(Inspection)
    since = timezone.now() - timedelta(seconds=1)

    finding = f.InspectionFindingFactory(inspection=inspection)
    after_add = synced(user_client(world.users["inspector"]), "inspections", since)
    age_all(Inspection)
    finding.delete()

    assert after_add == {inspection.pk}
    assert synced(user_client(world.users["inspector"]), "inspections", since) == {inspection.pk}


def test_a_new_village_group_reaches_the_next_sync_of_villages(world):
    age_all(Village)
    since = timezone.now() - timedelta(seconds=1)

    f.VillageGroupFactory(village=world.v2)

    assert synced(key_client(world.township), "villages", since) == {world.v2.pk}


def test_a_cursor_sync_misses_nothing_when_rows_change_between_its_pages(world):
    # given five matters changed since the last sync
    since = timezone.now() - timedelta(seconds=1)
    matters = [f.MatterFactory(village=world.v1) for _ in range(5)]
    api = user_client(world.users["office"])

    # when the client pages two at a time and one already fetched row changes in between
    first = api.get("/api/v1/matters/", {"updated_since": since.isoformat(), "page_size": 2}).json()
    from supervision.models import Matter

    Matter.objects.filter(pk=first["results"][0]["id"]).update(description="已改")
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    # then every row came exactly once (the cursor follows ids, which a change does not move)
    assert sorted(seen) == sorted(m.pk for m in matters)
