"""The dashboard's role to-dos (supervision/dashboard/todo.py): registered matters for the office to
assign, unit matters nobody is named on for the unit head, ideas waiting for the party committee
for whoever records its decisions, inspections to close and findings to rectify for the discipline
inspector. Each role sees its own and nobody else's; another township's objects never count; the
query count stays the same with 1 or 50 rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from supervision.dashboard.todo import panels
from supervision.models import AgendaItem, Diary
from supervision.selectors.diaries import agenda_for
from supervision.services.agenda import can_decide
from tests import factories as f
from tests.helpers import assert_num_queries, assert_same_queries

REGISTERED = "_todo_registered.html"
UNIT = "_todo_unit.html"
AGENDA = "_todo_agenda.html"
INSPECTIONS = "_todo_inspections.html"
ROLES = ("secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "cadre2", "cadre3",
         "village1", "outsider", "reporter")


def todo(world, who):  # type: ignore[no-untyped-def]
    user = world.users[who]
    return {p["template"].rsplit("/", 1)[-1]: p for p in panels(actor_for(user), user)}


def who_sees(world, template):  # type: ignore[no-untyped-def]
    return {who for who in ROLES if template in todo(world, who)}


def agenda_item(world, *, author, village, day, status=AgendaItem.Status.PENDING):  # type: ignore[no-untyped-def]
    diary = f.DiaryFactory(author=author, village=village, date=day, ideas="建议统一规划日光温室")
    return AgendaItem.objects.create(
        township_id=village.township_id, diary=diary, title=f"议题{diary.pk}", adopted_by=world.secretary,
        status=status, decision="" if status == AgendaItem.Status.PENDING else "同意",
    )


# --- 登记 → 交办, for the office ---------------------------------------------------------------------


def test_office_sees_registered_matters_oldest_first_with_village_and_light(world):
    today = timezone.localdate()
    now = timezone.now()
    newer = f.MatterFactory(village=world.v2, status="registered", created_at=now,
                            deadline=today + dt.timedelta(days=1))
    older = f.MatterFactory(village=world.v1, status="registered", created_at=now - dt.timedelta(days=3),
                            deadline=today - dt.timedelta(days=1))
    f.MatterFactory(village=world.v1, status="assigned", unit=world.unit, assignee=world.cadre1)
    f.MatterFactory(village=world.v_other, status="registered")  # another township

    panel = todo(world, "office")[REGISTERED]

    assert panel["count"] == 2 and panel["more"] == 0
    assert [m.pk for m in panel["matters"]] == [older.pk, newer.pk]
    assert [m.light for m in panel["matters"]] == ["red", "yellow"]
    assert panel["order"] < 40  # before the township's figures


def test_only_the_office_has_the_registered_to_do(world):
    f.MatterFactory(village=world.v1, status="registered", raised_by=world.cadre1)
    assert who_sees(world, REGISTERED) == {"office"}


def test_registered_panel_in_the_page_links_to_the_filtered_list_and_each_matter(client, world):
    matter = f.MatterFactory(village=world.v1, status="registered", description="五保户冬季取暖煤未到位")
    client.force_login(world.office.user)
    html = client.get("/").content.decode()
    assert 'aria-labelledby="panel-todo-registered-title"' in html and "待交办的问题" in html
    assert 'href="/matters/?status=registered"' in html
    assert f'href="/matters/{matter.pk}/"' in html and "东河村" in html
    listed = client.get("/matters/?status=registered").content.decode()
    assert f'href="/matters/{matter.pk}/"' in listed


def test_no_registered_panel_when_nothing_waits(world):
    f.MatterFactory(village=world.v_other, status="registered")
    assert REGISTERED not in todo(world, "office")


# --- assigned to my unit, nobody named, for the unit head ----------------------------------------


def test_unit_head_sees_unit_matters_without_an_assignee_nearest_deadline_first(world):
    today = timezone.localdate()
    later = f.MatterFactory(village=world.v2, status="assigned", unit=world.unit,
                            deadline=today + dt.timedelta(days=10))
    sooner = f.MatterFactory(village=world.v1, status="in_progress", unit=world.unit,
                             deadline=today + dt.timedelta(days=2))
    f.MatterFactory(village=world.v1, status="assigned", unit=world.unit, assignee=world.cadre1)  # named
    f.MatterFactory(village=world.v3, status="assigned", unit=world.unit2)  # another unit
    f.MatterFactory(village=world.v1, status="resolved", unit=world.unit)  # no longer open
    f.MatterFactory(village=world.v1, status="registered")  # not assigned yet

    panel = todo(world, "unit_head")[UNIT]

    assert panel["count"] == 2
    assert [m.pk for m in panel["matters"]] == [sooner.pk, later.pk]


def test_only_the_unit_head_has_the_unit_to_do(client, world):
    matter = f.MatterFactory(village=world.v1, status="assigned", unit=world.unit)
    assert who_sees(world, UNIT) == {"unit_head"}
    client.force_login(world.unit_head.user)
    html = client.get("/").content.decode()
    assert 'aria-labelledby="panel-todo-unit-title"' in html and f'href="/matters/{matter.pk}/"' in html
    assert 'href="/matters/?unassigned=on"' in html
    # and the link lists exactly the unit's matters with nobody named
    named = f.MatterFactory(village=world.v1, status="assigned", unit=world.unit, assignee=world.cadre1)
    listed = client.get("/matters/?unassigned=on").content.decode()
    assert f'href="/matters/{matter.pk}/"' in listed and f'href="/matters/{named.pk}/"' not in listed


def test_a_unit_head_elsewhere_never_counts_this_townships_matters(world):
    outsider_unit = f.UnitFactory(township=world.other_township, head=world.outsider)
    f.MatterFactory(village=world.v1, status="assigned", unit=world.unit)
    assert UNIT not in todo(world, "outsider")
    f.MatterFactory(village=world.v_other, status="assigned", unit=outsider_unit)
    assert todo(world, "outsider")[UNIT]["count"] == 1


# --- adopted ideas 待议, for whoever records decisions --------------------------------------------


def test_leaders_and_office_see_pending_agenda_items_oldest_first(world):
    today = timezone.localdate()
    first = agenda_item(world, author=world.cadre1, village=world.v1, day=today - dt.timedelta(days=2))
    second = agenda_item(world, author=world.cadre2, village=world.v2, day=today)
    AgendaItem.objects.filter(pk=first.pk).update(adopted_at=timezone.now() - dt.timedelta(days=2))
    agenda_item(world, author=world.cadre3, village=world.v3, day=today, status=AgendaItem.Status.DECIDED)
    agenda_item(world, author=world.outsider, village=world.v_other, day=today)  # another township

    assert who_sees(world, AGENDA) == {"secretary", "head", "office"}
    panel = todo(world, "office")[AGENDA]
    assert panel["count"] == 2
    assert [i.pk for i in panel["items"]] == [first.pk, second.pk]


def test_agenda_panel_links_to_the_agenda_and_the_diaries(client, world):
    item = agenda_item(world, author=world.cadre1, village=world.v1, day=timezone.localdate())
    client.force_login(world.secretary.user)
    html = client.get("/").content.decode()
    assert 'aria-labelledby="panel-todo-agenda-title"' in html and "待议的党委议题" in html
    assert 'href="/diaries/agenda/"' in html and f'href="/diaries/{item.diary_id}/"' in html


# --- inspections, for the discipline inspector ------------------------------------------------------


def test_inspector_sees_inspections_ready_to_close_and_findings_waiting(world):
    today = timezone.localdate()
    insp = {"township": world.township, "subject_village": world.v1}
    ready = f.InspectionFactory(**insp, title="已报齐", published_at=timezone.now())
    f.InspectionFindingFactory(inspection=ready, rectification_report="已整改", rectified_at=timezone.now())
    f.InspectionFindingFactory(inspection=ready, action="")  # needs no report
    waiting = f.InspectionFactory(**insp, title="待整改", published_at=timezone.now())
    f.InspectionFindingFactory(inspection=waiting, rectification_deadline=today - dt.timedelta(days=1))
    f.InspectionFindingFactory(inspection=waiting, rectification_deadline=today + dt.timedelta(days=5))
    f.InspectionFindingFactory(inspection=waiting, rectification_report="已整改", rectified_at=timezone.now())
    unannounced = f.InspectionFactory(**insp, kind="unannounced", title="暗访未通报")
    f.InspectionFindingFactory(inspection=unannounced)
    closed = f.InspectionFactory(**insp, title="已结案", closed_at=timezone.now())
    f.InspectionFindingFactory(inspection=closed)
    f.InspectionFactory(**insp, title="尚无问题")  # nothing to close or rectify yet
    other = f.InspectionFactory(township=world.other_township, subject_village=world.v_other)
    f.InspectionFindingFactory(inspection=other)

    panel = todo(world, "inspector")[INSPECTIONS]

    assert panel["ready_count"] == 1 and [i.pk for i in panel["ready"]] == [ready.pk]
    assert panel["pending_count"] == 2
    assert [i.pk for i in panel["pending"]] == [waiting.pk, unannounced.pk]  # earliest deadline first
    assert (panel["findings"], panel["overdue"]) == (3, 1)
    assert [i.waiting for i in panel["pending"]] == [2, 1]


def test_only_the_inspector_has_the_inspection_to_do(client, world):
    insp = f.InspectionFactory(township=world.township, subject_village=world.v1, published_at=timezone.now())
    f.InspectionFindingFactory(inspection=insp)
    assert who_sees(world, INSPECTIONS) == {"inspector"}
    client.force_login(world.inspector.user)
    html = client.get("/").content.decode()
    assert 'aria-labelledby="panel-todo-inspections-title"' in html and "督查待办" in html
    assert f'href="/inspections/{insp.pk}/"' in html and 'href="/inspections/?open=1"' in html


def test_no_inspection_panel_without_open_work(world):
    done = f.InspectionFactory(township=world.township, subject_village=world.v1, closed_at=timezone.now())
    f.InspectionFindingFactory(inspection=done)
    assert INSPECTIONS not in todo(world, "inspector")


# --- nothing for those with nothing to do, and no per-cadre figures ----------------------------------


def test_cadres_village_cadres_and_the_reporter_get_no_role_to_do(world):
    f.MatterFactory(village=world.v1, status="registered", raised_by=world.cadre1)
    f.MatterFactory(village=world.v1, status="assigned", unit=world.unit)
    agenda_item(world, author=world.cadre1, village=world.v1, day=timezone.localdate())
    f.InspectionFindingFactory(inspection=f.InspectionFactory(township=world.township, subject_village=world.v1))
    for who in ("cadre1", "cadre2", "cadre3", "village1", "reporter", "outsider"):
        assert todo(world, who) == {}, who


# --- query counts -------------------------------------------------------------------------------------


def _fill(world, rows, start=0):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for i in range(start, start + rows):
        f.MatterFactory(village=world.v1, status="registered", deadline=today + dt.timedelta(days=i - 10))
        f.MatterFactory(village=world.v2, status="assigned", unit=world.unit, deadline=today + dt.timedelta(days=i))
        agenda_item(world, author=world.cadre1, village=world.v1, day=today - dt.timedelta(days=i))
        ready = f.InspectionFactory(township=world.township, subject_village=world.v1)
        f.InspectionFindingFactory(inspection=ready, rectification_report="已整改", rectified_at=timezone.now())
        waiting = f.InspectionFactory(township=world.township, subject_village=world.v2)
        f.InspectionFindingFactory(inspection=waiting, rectification_deadline=today + dt.timedelta(days=i - 3))


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(("who", "queries"), [
    ("office", 3),  # registered: count + rows; agenda: rows with their count
    ("secretary", 1),  # agenda: rows with their count (a window)
    ("unit_head", 3),  # one for the matter scope (the rest comes with the cached actor); count + rows
    ("inspector", 4),  # findings figures; ready count; ready rows; waiting rows
    ("cadre1", 0),
])
def test_todo_query_counts_are_pinned(world, rows, who, queries):
    _fill(world, rows)
    user = world.users[who]
    actor = actor_for(user)
    with assert_num_queries(queries):
        result = panels(actor, user)
    assert len(result) == (0 if who == "cadre1" else 2 if who == "office" else 1)


@pytest.mark.parametrize("who", ["office", "inspector", "unit_head"])
def test_dashboard_page_query_count_does_not_grow_with_todo_rows(client, world, who):
    client.force_login(world.users[who])
    _fill(world, 1)
    one, many = assert_same_queries(lambda: client.get("/"), lambda: _fill(world, 49, start=1), warm=True)
    assert (one.status_code, many.status_code) == (200, 200)


# --- the agenda panel's one statement is agenda_for's answer -----------------------------------------


def _agenda_reference(actor):  # type: ignore[no-untyped-def]
    """The panel as agenda_for reads it (the selector's scope, with the ORM)."""
    from django.db.models import Count, Window

    items = list(agenda_for(actor).filter(status=AgendaItem.Status.PENDING)
                 .annotate(total=Window(Count("id"))).order_by("adopted_at", "id")[:5])
    if not items:
        return None
    return items[0].total, [(i.pk, i.diary_id, i.title, i.get_source_display(), i.adopted_at,
                             i.diary.village.name if i.diary_id else None) for i in items]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_agenda_panel_equals_agenda_for_for_every_role(world, language):
    from django.utils import translation

    today = timezone.localdate()
    now = timezone.now()
    for n, (author, village) in enumerate([(world.cadre1, world.v1), (world.cadre2, world.v2), (world.cadre3, world.v3),
                                           (world.cadre1, world.v1), (world.cadre2, world.v2), (world.cadre3, world.v3)]):
        item = agenda_item(world, author=author, village=village, day=today - dt.timedelta(days=n))
        AgendaItem.objects.filter(pk=item.pk).update(adopted_at=now - dt.timedelta(hours=n))
    withdrawn = agenda_item(world, author=world.cadre1, village=world.v2, day=today - dt.timedelta(days=9))
    Diary.objects.filter(pk=withdrawn.diary_id).update(deleted_at=now)
    AgendaItem.objects.filter(pk=withdrawn.pk).update(adopted_at=now - dt.timedelta(days=30))
    AgendaItem.objects.create(township_id=world.township.pk, source=AgendaItem.Source.OFFICE, title="办公室提出",
                              adopted_by=world.secretary, adopted_at=now - dt.timedelta(days=20))
    agenda_item(world, author=world.outsider, village=world.v_other, day=today)  # another township
    agenda_item(world, author=world.cadre2, village=world.v1, day=today - dt.timedelta(days=12),
                status=AgendaItem.Status.DECIDED)

    with translation.override(language):
        for who in ROLES:
            actor = actor_for(world.users[who])
            panel = todo(world, who).get(AGENDA)
            expected = _agenda_reference(actor) if can_decide(actor) else None
            if expected is None:
                assert panel is None, who
                continue
            total, rows = expected
            assert (panel["count"], panel["more"]) == (total, total - len(rows)), who
            assert [tuple(i) for i in panel["items"]] == rows, who
    assert total == 7  # six pending of the township and the office's, not the withdrawn diary's


def test_agenda_panel_for_the_superuser_spans_every_township(world):
    from django.contrib.auth.models import User

    agenda_item(world, author=world.cadre1, village=world.v1, day=timezone.localdate())
    agenda_item(world, author=world.outsider, village=world.v_other, day=timezone.localdate())
    admin = User.objects.create_superuser("root-agenda", password="x")
    actor = actor_for(admin)
    panel = {p["template"].rsplit("/", 1)[-1]: p for p in panels(actor, admin)}[AGENDA]
    total, rows = _agenda_reference(actor)
    assert (panel["count"], [tuple(i) for i in panel["items"]]) == (total, rows) and total == 2
