"""seed_demo's plans: every village has one; cadre1's first village has the greenhouse plan with one
milestone done, one due soon and one overdue; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cadres import demo as cadres_demo
from cadres.models import Village, VillageAssignment
from cadres.roles import actor_for
from core.demo import DemoContext
from supervision.demo import plans as demo_plans
from supervision.models import Plan, PlanGoal, PlanMilestone
from supervision.selectors.plans import milestone_list

TODAY = dt.date(2026, 11, 25)


def _ctx() -> DemoContext:
    return DemoContext(rng=random.Random(2026), seed=2026, scale="township", password="Demo-password-2026",
                       today=TODAY, out=lambda line: None)


def _counts() -> tuple[int, int, int, int]:
    return (Plan.objects.count(), PlanGoal.objects.count(), PlanMilestone.objects.count(),
            Plan.history.count())


@pytest.mark.slow
def test_the_demo_plans_are_complete_and_idempotent(db):
    ctx = _ctx()
    cadres_demo.seed(ctx)
    demo_plans.seed(ctx)
    first = _counts()

    villages = Village.objects.filter(is_active=True)
    assert set(Plan.objects.values_list("village_id", flat=True)) == set(villages.values_list("pk", flat=True))
    cadre1 = ctx.extra["users"]["cadre1"]
    village_id = (VillageAssignment.objects.filter(cadre=cadre1.cadre, role="cadre").order_by("village__code")
                  .values_list("village_id", flat=True).first())
    plan = Plan.objects.get(village_id=village_id)
    assert (plan.title, plan.status) == ("日光温室发展规划", "approved")
    lights = sorted(milestone_list(actor_for(cadre1), today=TODAY).filter(plan=plan).values_list("light", flat=True))
    assert lights == ["", "red", "yellow"]
    assert plan.goals.get(indicator="新建日光温室").target == 60

    again = _ctx()
    cadres_demo.seed(again)
    demo_plans.seed(again)
    assert _counts() == first
