"""`seed_demo --scale county` gives every township its own activity, the same for the same seed."""

from __future__ import annotations

import datetime as dt
import random

from core.demo import DemoContext
from supervision.demo import diaries as demo_diaries
from supervision.models import Diary, Matter
from tests import factories as f


def _context(world, scale: str, seed: int = 7) -> DemoContext:  # type: ignore[no-untyped-def]
    return DemoContext(rng=random.Random(seed), seed=seed, scale=scale, password="x", today=dt.date(2026, 11, 20),
                       out=lambda _line: None, townships=[world.township, world.other_township],
                       main_township=world.township)


def test_county_scale_seeds_every_township_deterministically(world):
    # The other township as the county demo builds one: a unit with cadres in it.
    unit = f.UnitFactory(township=world.other_township, name="综合服务中心")
    world.outsider.unit = unit
    world.outsider.save()
    f.CadreFactory(township=world.other_township, unit=unit, name="外镇干部乙")
    demo_diaries.seed(_context(world, "township"))
    assert not Diary.objects.filter(township=world.other_township).exists()

    demo_diaries.seed(_context(world, "county"))
    other = Diary.objects.filter(township=world.other_township)
    assert other.count() > 100
    assert set(other.values_list("author__township", flat=True)) == {world.other_township.pk}
    assert Matter.objects.filter(township=world.other_township).values("status").distinct().count() >= 3
    first = sorted(other.values_list("date", "situation"))

    # Again: nothing added or changed.
    demo_diaries.seed(_context(world, "county"))
    assert sorted(other.values_list("date", "situation")) == first
