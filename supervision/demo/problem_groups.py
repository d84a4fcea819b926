"""Demo of 一类事: the issue's two pump diaries (two villages, different words) and an unrelated
third one are written into this month's diaries of the main township, then the last three months
are grouped, so the groups page, the API and the monthly bulletins have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from supervision.models import Diary, ProblemGroup
from supervision.services.problem_groups import month_of, problem_groups_refresh

EXAMPLES = ["机井水泵损坏，春灌用水困难", "村里机井的水泵坏了多日，群众春灌用水困难", "村道路灯不亮，夜间出行不便"]


def _plant_examples(township: Any, start: dt.date, end: dt.date) -> int:
    """Three of this month's diaries in three villages get the issue's texts (once)."""
    month = Diary.objects.filter(township=township, date__range=(start, end), deleted_at__isnull=True)
    if month.filter(problems=EXAMPLES[0]).exists():
        return 0
    chosen: list[Diary] = []
    villages: set[int] = set()
    for diary in month.filter(problems="").order_by("date", "id"):
        if diary.village_id not in villages:
            chosen.append(diary)
            villages.add(diary.village_id)
        if len(chosen) == len(EXAMPLES):
            break
    for diary, text in zip(chosen, EXAMPLES, strict=False):
        Diary.objects.filter(pk=diary.pk).update(problems=text, category="infrastructure")
    return len(chosen)


def seed(ctx: Any) -> None:
    start, end = month_of(ctx.today)
    planted = _plant_examples(ctx.main_township, start, end) if ctx.main_township else 0
    groups = 0
    for township in ctx.townships or ([ctx.main_township] if ctx.main_township else []):
        month_start = start
        for _n in range(3):  # this month and the two before (their bulletins show the groups)
            if not ProblemGroup.objects.filter(township=township, period_start=month_start).exists():
                groups += problem_groups_refresh(start=month_start, end=month_of(month_start)[1],
                                                 township_id=township.pk).groups
            month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
    ctx.out(f"  supervision.demo.problem_groups: {planted} example diaries, {groups} groups")
