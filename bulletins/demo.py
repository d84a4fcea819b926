"""Demo bulletins (docs/design.md §6): last month's published issue and this month's draft for the main
township, and in a county each generated township's last three months published (numbered in that
township: 第1期, 第2期 …) and this month's draft; made through the same services as real use (the
generated townships have no log-ins: the system compiles, edits, approves and publishes). Runs
after the other demo parts, so the figures come from their diaries, matters, pledges, checks and
inspections. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cadres.models import Cadre, ModelFigure, Post, Township
from cadres.roles import SYSTEM, actor_for

from .models import Bulletin
from .services import bulletin_approve, bulletin_compile, bulletin_publish, bulletin_update, previous_month_of

# How many past months each generated township of a county has published.
COUNTY_MONTHS = 3

EDITOR_NOTE = (
    "本期简报通报上月民情日记、联系户走访、问题办理和村务公开情况。各村、各单位要对照通报的问题，"
    "逐项整改、按期销号，把作风建设落实到为群众办实事上。"
)
OUTLOOK = (
    "一是继续落实干部包村联户制度，做到联系户每月走访全覆盖。\n"
    "二是对逾期未办结的问题逐件督办，办结后及时回访。\n"
    "三是督促各村按时公开村务、财务，季度检查发现的缺项限期整改。\n"
    "四是做好下月干部工作方法培训班和远程教育学习。"
)
STORIES = [
    ("扎根一线解民忧", "包村干部坚持每天入户走访，记下群众反映的灌溉用水问题，协调农业服务中心两周内修复渠道，"
                       "群众满意。"),
    ("日光温室带富一方", "带头发展日光温室，组织技术培训，带动周边农户增收。"),
]


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _model_figures(ctx: Any, township: Township, start: dt.date, end: dt.date) -> None:
    """Two model figures for the period, unless the cadres' demo already chose some."""
    if ModelFigure.objects.filter(township=township, period_start__lte=end, period_end__gte=start).exists():
        return
    rng = ctx.rng_for("bulletins")
    cadres = list(Cadre.objects.filter(township=township, is_active=True).order_by("id")[:20])
    for title, story in STORIES:
        cadre = rng.choice(cadres) if cadres else None
        ModelFigure.objects.get_or_create(
            township=township, title=title,
            defaults={"cadre": cadre, "village": cadre.village if cadre else None,
                      "villager_name": "" if cadre else "王师傅", "story": story,
                      "period_start": start, "period_end": end},
        )


def seed(ctx: Any) -> None:
    township = ctx.main_township
    if township is None:
        ctx.out("  bulletins: no main township yet, skipped")
        return
    office = _user("office") or _user("admin")
    leader = _user("secretary") or _user("admin")
    last_start, last_end = previous_month_of(ctx.today)
    this_start = ctx.today.replace(day=1)
    this_end = previous_month_of(this_start + dt.timedelta(days=32))[1]
    _model_figures(ctx, township, last_start, this_end)

    last = Bulletin.objects.filter(township=township, period_start=last_start, period_end=last_end).first()
    if last is None or not last.is_frozen:
        last = bulletin_compile(township=township, start=last_start, end=last_end, actor=SYSTEM)
        if office is not None and leader is not None:
            last = bulletin_update(bulletin=last,
                actor=actor_for(office), changes={"editor_note": EDITOR_NOTE, "outlook": OUTLOOK})
            if last.status == Bulletin.Status.DRAFT:
                last = bulletin_approve(bulletin=last, actor=actor_for(leader))
            last = bulletin_publish(bulletin=last, actor=actor_for(office), today=ctx.today)
        else:
            ctx.out("  bulletins: no office/secretary log-in, last month's bulletin left as a draft")

    if not Bulletin.objects.filter(township=township, period_start=this_start, period_end=this_end).exists():
        bulletin_compile(township=township, start=this_start, end=this_end, actor=SYSTEM)
    ctx.out(f"  bulletins: {Bulletin.objects.filter(township=township).count()} in {township.name}")
    for other in ctx.generated_townships():
        _generated_township(ctx, other, this_start, this_end)


def _generated_township(ctx: Any, township: Township, this_start: dt.date, this_end: dt.date) -> None:
    """The last COUNTY_MONTHS months published, oldest first (so the numbers follow the calendar),
    each issued a few days after its month ends and signed by the party secretary; this month a draft."""
    secretary = (Cadre.objects.filter(township=township, post=Post.PARTY_SECRETARY, is_active=True)
                 .order_by("id").values_list("name", flat=True).first()) or ""
    months: list[tuple[dt.date, dt.date]] = []
    start = this_start
    for _n in range(COUNTY_MONTHS):
        start, end = previous_month_of(start)
        months.insert(0, (start, end))
    published = 0
    for start, end in months:
        bulletin = Bulletin.objects.filter(township=township, period_start=start, period_end=end).first()
        if bulletin is not None and bulletin.is_frozen:
            continue
        issued = min(ctx.today, end + dt.timedelta(days=5))
        with transaction.atomic():  # a month is published whole or not at all
            bulletin = bulletin_compile(township=township, start=start, end=end, actor=SYSTEM)
            bulletin = bulletin_update(bulletin=bulletin, actor=SYSTEM, changes={
                "editor_note": EDITOR_NOTE, "outlook": OUTLOOK, "signer": secretary, "issue_date": issued})
            if bulletin.status == Bulletin.Status.DRAFT:
                bulletin = bulletin_approve(bulletin=bulletin, actor=SYSTEM)
            bulletin_publish(bulletin=bulletin, actor=SYSTEM, today=issued)
        published += 1
    if not Bulletin.objects.filter(township=township, period_start=this_start, period_end=this_end).exists():
        bulletin_compile(township=township, start=this_start, end=this_end, actor=SYSTEM)
    ctx.out(f"  bulletins: {township.name} {published} published now, "
            f"{Bulletin.objects.filter(township=township).count()} in all")
