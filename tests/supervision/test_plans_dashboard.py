"""The leaders' dashboard panel of plans with overdue milestones: what it lists, for whom, and at a
pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from supervision.dashboard.plans import panels
from tests import factories as f

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _no_shared_figures(settings):  # type: ignore[no-untyped-def]
    settings.DASHBOARD_FIGURES_SECONDS = 0


def test_the_leaders_see_the_approved_plans_with_overdue_milestones(world):
    late = f.PlanFactory(village=world.v1, status="approved", title="日光温室发展规划")
    f.PlanMilestoneFactory(plan=late, due=TODAY - dt.timedelta(days=1))
    f.PlanMilestoneFactory(plan=late, due=TODAY - dt.timedelta(days=3), status="done", done_on=TODAY)
    fine = f.PlanFactory(village=world.v2, status="approved")
    f.PlanMilestoneFactory(plan=fine, due=TODAY + dt.timedelta(days=1))
    draft = f.PlanFactory(village=world.v3)
    f.PlanMilestoneFactory(plan=draft, due=TODAY - dt.timedelta(days=1))
    [panel] = panels(actor_for(world.secretary.user), world.secretary.user)
    assert panel["rows"] == [{"pk": late.pk, "village": "东河村", "title": "日光温室发展规划", "overdue": 1,
                              "done": 1, "total": 2}]
    assert panels(actor_for(world.cadre1.user), world.cadre1.user) == []


@pytest.mark.parametrize("rows", [1, 12])
def test_the_panel_costs_one_query(world, django_assert_num_queries, rows):
    for _ in range(rows):
        plan = f.PlanFactory(village=world.v1, status="approved")
        f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=2))
    actor = actor_for(world.office.user)
    with django_assert_num_queries(1):
        [panel] = panels(actor, world.office.user)
    assert (len(panel["rows"]), panel["more"]) == (min(rows, 10), rows > 10)


def test_the_dashboard_shows_the_panel(client, world):
    plan = f.PlanFactory(village=world.v1, status="approved", title="日光温室发展规划")
    f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=2))
    client.force_login(world.secretary.user)
    page = client.get("/").content.decode()
    assert "发展规划节点逾期" in page and f'href="/plans/{plan.pk}/"' in page
