"""The leaders' quota panel (cadres/dashboard.py) reads the township's cadres, their active
contacts and the quota table in one plain statement: for every role that sees it, in both
languages, it equals what cadres_for and quota_statuses (the selectors' scope, with the ORM) count;
ended contacts, village cadres, inactive cadres and another township's never count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cadres.dashboard import _quota_panel, panels
from cadres.models import Cadre, ContactQuota, HouseholdContact, Post
from cadres.roles import actor_for
from cadres.scope import cadres_for
from cadres.selectors import may_see_pyramid, quota_statuses
from tests import factories as f
from tests.helpers import assert_num_queries

pytestmark = pytest.mark.django_db

ROLES = ("secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "cadre2", "cadre3",
         "village1", "outsider", "reporter")


def _reference(actor):  # type: ignore[no-untyped-def]
    """The panel's figures as cadres_for and quota_statuses count them."""
    cadres = list(cadres_for(actor).filter(township_id=actor.township_id, is_active=True)
                  .exclude(level=Cadre.Level.VILLAGE).only("id", "post", "is_active"))
    short = [s for s in quota_statuses(cadres).values() if s.is_short]
    return {"short_count": len(short), "missing": sum(s.shortfall for s in short), "total": len(cadres)}


@pytest.fixture
def contacts(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    ContactQuota.objects.update_or_create(post=Post.UNIT_HEAD, defaults={"poor_party_member": 0, "farmer": 2})
    for n in range(10):  # the secretary's quota met
        kind = HouseholdContact.Kind.POOR_PARTY_MEMBER if n == 0 else (
            HouseholdContact.Kind.ASSISTED if n % 2 else HouseholdContact.Kind.FARMER)
        f.ContactFactory(cadre=world.secretary, household=f.HouseholdFactory(village=world.v1), kind=kind, start=start)
    f.ContactFactory(cadre=world.secretary, household=f.HouseholdFactory(village=world.v1), start=start)
    for _ in range(2):  # the unit head's configured quota met
        f.ContactFactory(cadre=world.unit_head, household=f.HouseholdFactory(village=world.v2), start=start)
    f.ContactFactory(cadre=world.head, household=f.HouseholdFactory(village=world.v2), start=start,
                     end=today - dt.timedelta(days=1))  # ended: not counted
    f.ContactFactory(cadre=world.head, household=f.HouseholdFactory(village=world.v2),
                     start=today + dt.timedelta(days=1))  # not begun: not counted
    f.CadreFactory(township=world.township, name="离任干部", is_active=False)
    f.ContactFactory(cadre=world.outsider, household=world.h_other, start=start)
    return world


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_quota_panel_equals_the_selectors_for_every_role(contacts, settings, language):
    settings.DASHBOARD_FIGURES_SECONDS = 0
    county = f.UserFactory(username="county-quota", groups=["county"])
    admin = User.objects.create_superuser("root-quota", password="x")
    seen = []
    with translation.override(language):
        for user in [*(contacts.users[who] for who in ROLES), county, admin]:
            actor = actor_for(user)
            shown = panels(actor, user)
            if not (may_see_pyramid(actor) and actor.township_id is not None):
                assert shown == [], user.username
                continue
            [panel] = shown
            assert {k: panel[k] for k in ("short_count", "missing", "total")} == _reference(actor), user.username
            seen.append(user.username)
    assert seen == ["secretary", "head", "office"]


def test_the_quota_panel_costs_one_query_and_reads_as_before(contacts, settings):
    settings.DASHBOARD_FIGURES_SECONDS = 0
    actor = actor_for(contacts.secretary.user)
    with assert_num_queries(1):
        panel = _quota_panel(actor)
    # Nine township cadres: the secretary and the unit head meet theirs.
    assert (panel["short_count"], panel["total"]) == (7, 9)
    assert "镇干部 9 人中，7 人未达定额" in render_to_string(panel["template"], {"panel": panel})
