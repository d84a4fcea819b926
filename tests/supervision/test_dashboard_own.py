"""A cadre's own dashboard rows, read in one statement (supervision.dashboard.own), are the
selectors' answers: the active contact households in my_contacts' order with their last visit, the
quota of the cadre's post, and the missed diary days of the backfill window."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone

from cadres.models import CalendarDay, ContactQuota, ExcusedAbsence, HouseholdContact, Post
from cadres.roles import actor_for
from cadres.selectors import quota_of, quota_status
from supervision.dashboard.diaries_matters import _today_panel, _window, panels
from supervision.dashboard.own import own_rows
from supervision.models import Matter
from supervision.selectors.diaries import missed_dates
from supervision.selectors.households import my_contacts, stale_among
from supervision.selectors.matters import filter_mine, light_expression, matters_for
from tests import factories as f

pytestmark = pytest.mark.django_db

Kind = HouseholdContact.Kind


@pytest.fixture(autouse=True)
def on_a_wednesday():
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def busy(world):  # type: ignore[no-untyped-def]
    """cadre1: contacts of every kind in two villages (one ended, one not started, one visited only
    in a deleted diary), diaries and an absence in the backfill window, and a township holiday."""
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    c = world.cadre1
    extra = [f.HouseholdFactory(village=village, head_name=f"户{i}") for i, village in
             enumerate([world.v2, world.v1, world.v2, world.v1, world.v1, world.v2])]
    for household, kind in zip(extra[:4], [Kind.FARMER, Kind.ASSISTED, Kind.POOR_PARTY_MEMBER, Kind.FARMER], strict=True):
        f.ContactFactory(cadre=c, household=household, kind=kind, start=dt.date(2026, 1, 1))
    f.ContactFactory(cadre=c, household=extra[4], start=dt.date(2026, 1, 1), end=today - day)  # ended
    f.ContactFactory(cadre=c, household=extra[5], start=today + day)  # not yet
    old = f.DiaryFactory(author=world.cadre2, village=world.v2, date=today - 40 * day)
    old.households.set([extra[0]])  # visited by another cadre, long ago
    recent = f.DiaryFactory(author=c, village=world.v1, date=today - 2 * day)
    recent.households.set([extra[1], world.h1])
    gone = f.DiaryFactory(author=c, village=world.v1, date=today - 3 * day, deleted_at=timezone.now())
    gone.households.set([extra[3]])
    f.DiaryFactory(author=c, village=world.v1, date=today)
    ExcusedAbsence.objects.create(cadre=c, start=today - 6 * day, end=today - 5 * day)
    CalendarDay.objects.create(township=world.township, date=today - day, is_workday=False, name="镇休")
    ContactQuota.objects.update_or_create(post=Post.STAFF, defaults={"poor_party_member": 3, "farmer": 3})
    return world


def shown(contacts):  # type: ignore[no-untyped-def]
    return [(c.kind, c.household.head_name, c.household.village.name, c.last_visit) for c in contacts]


@pytest.mark.parametrize("who", ["cadre1", "cadre2", "secretary", "village1", "outsider"])
def test_own_rows_are_the_selectors_answers(busy, who):
    cadre = getattr(busy, who)
    actor = actor_for(cadre.user)
    today = timezone.localdate()
    own = own_rows(actor, cadre, today=today, window=_window(today))
    contacts = list(my_contacts(actor))
    assert shown(own.contacts) == shown(contacts)
    assert shown(stale_among(own.contacts)) == shown(stale_among(contacts))  # type: ignore[arg-type]
    assert quota_of(cadre, [c.kind for c in own.contacts], own.quota_table) == quota_status(cadre)
    panel = _today_panel(cadre, today, own)
    assert panel["missed"] == missed_dates(cadre, today=today)


def test_the_busy_cadre_is_a_real_case(busy):
    """The fixture exercises what it means to: an excused day, a holiday, a written day, a stale list."""
    today = timezone.localdate()
    own = own_rows(actor_for(busy.cadre1.user), busy.cadre1, today=today, window=_window(today))
    assert len(own.contacts) == 5 and own.quota_table == {Post.STAFF: (3, 3)}
    assert own.diaries.keys() == {today - dt.timedelta(days=2), today}
    result = {p["template"]: p for p in panels(actor_for(busy.cadre1.user), busy.cadre1.user)}
    households = result["cadres/panel_households.html"]
    # never visited first (in my_contacts' order: by kind, village, household), then the oldest visit
    assert [(c.household.head_name, c.last_visit) for c in households["stale"]] == [
        ("户3", None), ("户2", None), ("户0", today - dt.timedelta(days=40))]
    assert households["quota"].shortfall == 1  # one poor party-member household short


@pytest.mark.parametrize("who", ["cadre1", "cadre2", "secretary", "deputy", "office", "unit_head", "inspector", "village1",
                                 "outsider"])
def test_my_matters_by_light_are_the_selectors_answers(busy, who):
    # given matters of every light raised by or assigned to cadres, one of them filed in another township
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    for i, cadre in enumerate([busy.cadre1, busy.secretary, busy.village1, busy.outsider, busy.cadre2]):
        for deadline in (today - day, today, today + 2 * day, today + 30 * day, None):
            f.MatterFactory(village=busy.v1, assignee=cadre, unit=busy.unit, status="assigned", deadline=deadline)
        f.MatterFactory(village=busy.v1, raised_by=cadre, status=("registered", "in_progress", "closed")[i % 3],
                        deadline=today - 3 * day)
    f.MatterFactory(village=busy.v_other, township=busy.other_township, assignee=busy.cadre1, status="assigned",
                    deadline=today - day)
    cadre = getattr(busy, who)
    actor = actor_for(cadre.user)
    # then the one statement counts what filter_mine(matters_for(actor)) counts
    own = own_rows(actor, cadre, today=today, window=None)
    expected = _selectors_lights(actor, today)
    assert own.lights == {"red": expected["red"], "yellow": expected["yellow"], "green": expected["green"]}
    if who == "cadre1":
        assert own.lights == {"red": 2, "yellow": 2, "green": 2}


def _selectors_lights(actor, today):
    """My open matters by light as the selectors count them (the ORM path the one statement replaced)."""
    rows = (
        filter_mine(matters_for(actor), actor)
        .filter(status__in=Matter.OPEN_STATUSES)
        .annotate(light=light_expression(today))
        .values("light")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["light"]: row["n"] for row in rows}
    return {light: counts.get(light, 0) for light in ("red", "yellow", "green")}
