"""The daily loop's demo data: a year of diaries up to yesterday, matters in every state; twice = once."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count

from core.demo import DemoContext
from supervision.demo import diaries as demo_daily
from supervision.models import AgendaItem, Diary, DiaryComment, Matter, MatterEvent
from supervision.selectors.matters import overdue_q


def test_demo_seeds_a_year_of_diaries_and_matters_in_every_state_once(world):
    today = dt.date(2026, 11, 25)
    ctx = DemoContext(rng=random.Random(1), seed=1, scale="township", password="x" * 10, today=today,
                      out=lambda line: None, townships=[world.township], main_township=world.township)
    demo_daily.seed(ctx)
    diaries = Diary.objects.filter(township=world.township)
    span = diaries.order_by("date").values_list("date", flat=True)
    assert span.first() >= today - dt.timedelta(days=365) and span.last() == today - dt.timedelta(days=1)
    authors = set(diaries.values_list("author__level", flat=True))
    assert authors == {"township"}
    per_cadre = diaries.values("author").annotate(n=Count("id"))
    assert all(150 <= row["n"] <= 300 for row in per_cadre), list(per_cadre)
    assert diaries.filter(on_time=False).exists() and diaries.filter(author=world.cadre1).exists()
    assert Diary.households.through.objects.exists()
    statuses = set(Matter.objects.values_list("status", flat=True))
    assert statuses == {"registered", "assigned", "in_progress", "resolved", "revisited", "closed"}
    assert Matter.objects.filter(overdue_q(today)).exists()
    assert Matter.objects.filter(raised_by=world.cadre1, status="resolved").exists()
    assert AgendaItem.objects.filter(status="decided").exists() and DiaryComment.objects.exists()
    counts = (Diary.objects.count(), Matter.objects.count(), MatterEvent.objects.count(), AgendaItem.objects.count())

    demo_daily.seed(ctx)
    assert (Diary.objects.count(), Matter.objects.count(), MatterEvent.objects.count(),
            AgendaItem.objects.count()) == counts
