"""seed_demo's 一类事: this month has groups; the issue's two pump diaries are in one group, the
street lamps one in none; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from cadres import demo as cadres_demo
from core.demo import DemoContext
from supervision.demo import diaries as demo_diaries
from supervision.demo import problem_groups as demo_groups
from supervision.models import Diary, ProblemGroup

TODAY = dt.date(2026, 11, 25)


@pytest.mark.slow
def test_the_demo_month_has_groups_with_the_issues_example(db):
    ctx = DemoContext(rng=random.Random(2026), seed=2026, scale="township", password="Demo-password-2026",
                      today=TODAY, out=lambda line: None)
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        cadres_demo.seed(ctx)
        demo_diaries.seed(ctx)
        demo_groups.seed(ctx)
        counts = (ProblemGroup.objects.count(), Diary.objects.exclude(problems="").count())
        demo_groups.seed(ctx)

    assert (ProblemGroup.objects.count(), Diary.objects.exclude(problems="").count()) == counts
    month = ProblemGroup.objects.filter(township=ctx.main_township, period_start=dt.date(2026, 11, 1))
    assert month.exists()
    pumps = [Diary.objects.get(township=ctx.main_township, problems=text) for text in demo_groups.EXAMPLES]
    assert pumps[0].village_id != pumps[1].village_id
    (group,) = month.filter(diaries=pumps[0])
    assert group.diaries.filter(pk=pumps[1].pk).exists()
    assert not group.diaries.filter(pk=pumps[2].pk).exists()
