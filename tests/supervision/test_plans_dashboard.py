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


def _plan_list_reference(actor):  # type: ignore[no-untyped-def]
    """The panel's rows as plan_list (the selector's scope, with the ORM) reads them."""
    from supervision.selectors.plans import plan_list

    late = (plan_list(actor).prefetch_related(None).filter(status="approved", milestones_overdue__gt=0)
            .order_by("-milestones_overdue", "village__code", "id"))
    return [{"pk": r["pk"], "village": r["village__name"], "title": r["title"], "overdue": r["milestones_overdue"],
             "done": r["milestones_done"], "total": r["milestones_total"]}
            for r in late.values("pk", "village__name", "title", "milestones_overdue", "milestones_done",
                                 "milestones_total")[:11]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_panel_equals_plan_list_for_every_role(world, language):
    from django.contrib.auth.models import User
    from django.utils import translation

    for n, village in enumerate([world.v1, world.v2, world.v3, world.v1, world.v_other]):
        plan = f.PlanFactory(village=village, status="approved", title=f"规划{n}")
        for k in range(n % 3 + 1):
            f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=k + 1))
        f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=9), status="done", done_on=TODAY)
        f.PlanMilestoneFactory(plan=plan, due=TODAY + dt.timedelta(days=9))
    fine = f.PlanFactory(village=world.v2, status="approved")
    f.PlanMilestoneFactory(plan=fine, due=TODAY + dt.timedelta(days=1))
    admin = User.objects.create_superuser("root-plans", password="x")
    seen = []
    with translation.override(language):
        for user in [*world.users.values(), admin]:
            actor = actor_for(user)
            shown = panels(actor, user)
            if not shown:
                continue
            [panel] = shown
            expected = _plan_list_reference(actor)
            assert (panel["rows"], panel["more"]) == (expected[:10], len(expected) > 10), user.username
            seen.append((user.username, len(panel["rows"])))
    assert ("secretary", 4) in seen and ("office", 4) in seen and ("root-plans", 5) in seen
