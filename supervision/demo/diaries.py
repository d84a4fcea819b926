"""Demo data of the daily loop: a year of diaries with comments and adopted ideas, and matters in every state."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cadres.calendar import workdays
from cadres.models import Cadre, Household, HouseholdContact, Post, Township, Unit, Village, VillageAssignment
from core import segment
from supervision.models import AgendaItem, Category, DeadlineRule, Diary, DiaryComment, Matter, MatterEvent
from supervision.search import DIARY_INDEX, reindex_all

TZ = ZoneInfo(settings.TIME_ZONE)


CATEGORY_WEIGHTS = [
    (Category.INDUSTRY, 24), (Category.INFRASTRUCTURE, 14), (Category.LIVELIHOOD, 20), (Category.DISPUTES, 8),
    (Category.POLICY, 12), (Category.PARTY_BUILDING, 9), (Category.VILLAGE_APPEARANCE, 8), (Category.OTHER, 5),
]


SITUATIONS: dict[str, list[str]] = {
    Category.INDUSTRY: ["走访日光温室种植户，番茄长势良好，预计月底上市", "了解肉牛养殖户补栏情况，饲草储备基本充足",
                        "查看马铃薯种薯入窖情况，窖温湿度正常", "与合作社负责人交流订单农业，群众参与积极性较高",
                        "察看新建温室棚膜覆盖进度，部分农户缺少技术指导"],
    Category.INFRASTRUCTURE: ["察看村组道路硬化工程进度，路基已基本完成", "走访了解自来水入户情况，高处农户水压偏低",
                              "查看村里新修的排洪渠，部分地段淤积", "了解农田灌溉渠道维修情况，群众反映放水不及时"],
    Category.LIVELIHOOD: ["入户走访低保户，了解冬季取暖和生活物资情况", "看望独居老人，身体尚可，子女在外务工",
                          "了解医保缴费进度，个别农户尚未缴纳", "走访监测户，家庭收入较上年有所增加",
                          "查看危房改造户入住情况，房屋已验收"],
    Category.DISPUTES: ["调解两户村民宅基地边界纠纷，双方初步达成一致", "了解邻里因排水引发的矛盾，现场协调处理",
                        "走访土地流转户，个别农户对流转费用有意见"],
    Category.POLICY: ["入户宣传惠农补贴政策，群众对补贴发放时间较为关心", "宣讲防止返贫监测帮扶政策，发放明白卡",
                      "宣传森林草原防火知识，张贴宣传标语", "向群众讲解医保、养老保险缴费政策"],
    Category.PARTY_BUILDING: ["参加村党支部主题党日活动，督促落实三会一课", "走访困难党员，了解生产生活情况",
                              "与村两委班子座谈，了解发展党员工作进展"],
    Category.VILLAGE_APPEARANCE: ["检查村庄环境整治，主干道两侧垃圾已清理", "察看农户庭院整治，柴草乱堆现象有所改善",
                                  "了解垃圾清运情况，个别收集点清运不及时"],
    Category.OTHER: ["与村干部交流近期重点工作安排", "了解外出务工人员返乡情况", "走访了解村集体经济发展思路"],
}


PROBLEMS: dict[str, list[str]] = {
    Category.INDUSTRY: ["温室种植户缺少病虫害防治技术指导", "农产品销售渠道单一，价格波动大", "部分养殖户贷款需求未满足"],
    Category.INFRASTRUCTURE: ["村组道路有一段塌陷，雨天通行困难", "高处农户自来水水压不足", "排洪渠淤积需要清理"],
    Category.LIVELIHOOD: ["独居老人冬季取暖存在困难", "个别农户医保尚未缴费", "监测户就业不稳定"],
    Category.DISPUTES: ["宅基地边界纠纷尚未彻底解决", "土地流转费用兑付不及时"],
    Category.POLICY: ["部分群众对补贴政策了解不清", "政策明白卡发放不到位"],
    Category.PARTY_BUILDING: ["流动党员参加组织生活不经常", "村级后备干部储备不足"],
    Category.VILLAGE_APPEARANCE: ["垃圾收集点清运不及时", "个别农户房前屋后柴草乱堆"],
    Category.OTHER: ["村级事务公开栏内容更新不及时"],
}


IDEAS: dict[str, list[str]] = {
    Category.INDUSTRY: ["建议邀请农技专家开展温室种植技术现场培训", "建议引导合作社与超市开展订单销售"],
    Category.INFRASTRUCTURE: ["建议将该路段维修纳入明年一事一议项目", "建议加装加压泵解决高处供水问题"],
    Category.LIVELIHOOD: ["建议为独居老人建立结对帮扶台账", "建议开展公益性岗位就业帮扶"],
    Category.DISPUTES: ["建议建立村级矛盾纠纷排查调处周例会制度"],
    Category.POLICY: ["建议利用村广播每周固定时段宣讲政策"],
    Category.PARTY_BUILDING: ["建议建立流动党员微信群，线上开展学习"],
    Category.VILLAGE_APPEARANCE: ["建议推行门前三包积分制管理"],
    Category.OTHER: ["建议定期召开村民代表会议通报村务"],
}


PEOPLE = ["村党支部书记", "村委会主任", "种植户", "养殖户", "低保户", "监测户", "村民代表", "老党员", "网格员"]


PLACES = ["村委会", "田间地头", "温室大棚", "农户家中", "村组道路", "文化广场", "养殖小区"]


COMMENTS = ["情况掌握细致，请持续跟进。", "反映的问题要抓紧研究解决，按期反馈。", "建议很好，请相关站所研究落实。",
            "请包村领导牵头协调，尽快答复群众。", "要把群众的急难愁盼放在心上，举一反三。"]


DECISIONS = ["经党委会研究，同意实施，由农业服务中心牵头，年底前完成。",
             "经党委会研究，纳入明年重点工作，由相关站所制定方案。",
             "经党委会研究，原则同意，请党政办督办落实。"]


RESOLUTIONS = ["已协调相关站所现场处理完毕，群众表示认可。", "已组织人员维修，经验收合格。",
               "已入户解释政策并协助办理，问题已解决。", "已召集双方调解，达成书面协议。"]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _pick_category(rng: Any) -> str:
    return rng.choices([c for c, _w in CATEGORY_WEIGHTS], weights=[w for _c, w in CATEGORY_WEIGHTS])[0]


def seed(ctx: Any) -> None:
    township = ctx.main_township
    if township is None:
        ctx.out("  supervision.demo.diaries: no main township, skipped")
        return
    if Diary.objects.filter(township=township).exists():
        ctx.out("  supervision.demo.diaries: diaries already seeded, skipped")
        if DIARY_INDEX.is_empty():  # a demo seeded before search: `make run` must search too
            with transaction.atomic():
                _index(ctx, township)
    else:
        with transaction.atomic():
            _seed(ctx, township)
    if ctx.scale != "county":
        return
    # A county: every generated township gets its own year of diaries, comments, adopted ideas and
    # matters in every state, each from its own random stream (the same --seed, the same data).
    for other in Township.objects.exclude(pk=township.pk).order_by("code", "pk"):
        if Diary.objects.filter(township=other).exists():
            continue
        with transaction.atomic():
            _seed(ctx, other, stream=f"supervision.daily.{other.code}")


# Long on purpose: a linear demo recipe whose steps share one random stream and the rows made so far.
def _seed(ctx: Any, township: Any, *, stream: str = "supervision.daily") -> None:
    rng = ctx.rng_for(stream)
    today: dt.date = ctx.today
    yesterday = today - dt.timedelta(days=1)
    start = today - dt.timedelta(days=365)
    cadres = list(
        Cadre.objects.filter(township=township, level=Cadre.Level.TOWNSHIP, is_active=True)
        .select_related("user").order_by("id")
    )
    villages = list(Village.objects.filter(township=township, is_active=True).order_by("code"))
    if not cadres or not villages:
        return
    assigned: dict[int, list[int]] = defaultdict(list)
    for cadre_id, village_id in VillageAssignment.objects.filter(
        village__township=township, end__isnull=True
    ).values_list("cadre_id", "village_id"):
        assigned[cadre_id].append(village_id)
    contacts: dict[tuple[int, int], list[int]] = defaultdict(list)  # (cadre, village) → households
    for cadre_id, household_id, village_id in HouseholdContact.objects.filter(
        cadre__township=township, end__isnull=True
    ).values_list("cadre_id", "household_id", "household__village_id"):
        contacts[(cadre_id, village_id)].append(household_id)
    by_village: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, village_id, name in Household.objects.filter(village__township=township, is_active=True).values_list(
        "pk", "village_id", "head_name"
    ):
        by_village[village_id].append((pk, name))
    village_names = {v.pk: v.name for v in villages}
    days = workdays(start, yesterday, township.pk)
    workday_set = set(days)
    all_days = [start + dt.timedelta(days=i) for i in range((yesterday - start).days + 1)]

    diaries: list[Diary] = []
    visits: dict[tuple[int, dt.date], list[int]] = {}
    for cadre in cadres:
        diligence = rng.uniform(0.82, 0.98)
        lateness = rng.uniform(0.02, 0.10)
        own_villages = assigned.get(cadre.pk) or [rng.choice(villages).pk]
        for day in all_days:
            if day in workday_set:
                if rng.random() > diligence:
                    continue
            elif rng.random() > 0.03:  # an occasional weekend visit
                continue
            village_id = rng.choice(own_villages) if rng.random() < 0.85 else rng.choice(villages).pk
            category = _pick_category(rng)
            pool = contacts.get((cadre.pk, village_id)) or [pk for pk, _n in by_village.get(village_id, [])]
            chosen = rng.sample(pool, k=min(len(pool), rng.choice([0, 1, 1, 2]))) if pool else []
            names = dict(by_village.get(village_id, []))
            who = "、".join(names.get(pk, "") for pk in chosen if names.get(pk))
            situation = rng.choice(SITUATIONS[category])
            situation = f"在{village_names[village_id]}{('走访' + who + '等农户，') if who else ''}{situation}。"
            late = day in workday_set and rng.random() < lateness and day < yesterday
            written_on = min(yesterday, day + dt.timedelta(days=rng.randint(1, 3))) if late else day
            diaries.append(Diary(
                township_id=township.pk, author_id=cadre.pk, date=day, village_id=village_id, category=category,
                place=rng.choice(PLACES), people_met=rng.choice(PEOPLE), situation=situation,
                problems=(rng.choice(PROBLEMS[category]) + "。") if rng.random() < 0.45 else "",
                ideas=(rng.choice(IDEAS[category]) + "。") if rng.random() < 0.15 else "",
                on_time=not late, created_at=_at(written_on, rng.randint(17, 21), rng.randint(0, 59)),
            ))
            if chosen:
                visits[(cadre.pk, day)] = chosen
    Diary.objects.bulk_create(diaries, batch_size=2000)
    ids = {
        (author_id, day): pk
        for pk, author_id, day in Diary.objects.filter(township=township).values_list("pk", "author_id", "date")
    }
    through = Diary.households.through
    through.objects.bulk_create(
        [through(diary_id=ids[key], household_id=h) for key, households in visits.items() for h in households],
        batch_size=5000,
    )
    ctx.out(f"  supervision.demo.diaries: {len(diaries)} diaries")
    _seed_comments_and_ideas(ctx, rng, township, cadres, today)
    _seed_matters(ctx, rng, township, cadres, today)
    _index(ctx, township)


def _index(ctx: Any, township: Any) -> None:
    """Written in bulk, past the services: index them here, as `manage.py reindex_search` would."""
    segment.reset()  # the villages just seeded join the dictionary
    n_diaries = reindex_all(Diary.objects.filter(township=township))
    n_matters = reindex_all(Matter.objects.filter(township=township))
    ctx.out(f"  supervision.demo.diaries: search index of {n_diaries} diaries, {n_matters} matters")


def _leaders(township: Any, cadres: list[Cadre]) -> list[Cadre]:
    leaders = [c for c in cadres if c.post in (Post.PARTY_SECRETARY, Post.TOWNSHIP_HEAD)]
    return leaders or cadres[:1]


def _seed_comments_and_ideas(ctx: Any, rng: Any, township: Any, cadres: list[Cadre], today: dt.date) -> None:
    leaders = _leaders(township, cadres)
    in_charge = list(Cadre.objects.filter(supervised_units__township=township).distinct()) or leaders
    recent = list(
        Diary.objects.filter(township=township, date__gte=today - dt.timedelta(days=120))
        .exclude(problems="").order_by("id").values_list("pk", "date", "author_id")
    )
    comments = []
    for pk, day, author_id in rng.sample(recent, k=min(len(recent), 60)):
        by = rng.choice(leaders + in_charge)
        if by.pk == author_id:
            continue
        comments.append(DiaryComment(diary_id=pk, author_id=by.pk, text=rng.choice(COMMENTS),
                                     created_at=_at(min(today, day + dt.timedelta(days=1)), 9, rng.randint(0, 59))))
    DiaryComment.objects.bulk_create(comments)
    with_ideas = list(
        Diary.objects.filter(township=township).exclude(ideas="").order_by("id").values_list("pk", "date", "ideas")
    )
    secretary = leaders[0]
    office_user = Cadre.objects.filter(township=township, user__groups__name="office").values_list("user_id", flat=True).first()
    items = []
    for n, (pk, day, ideas) in enumerate(rng.sample(with_ideas, k=min(len(with_ideas), 15))):
        adopted = _at(min(today, day + dt.timedelta(days=2)), 10, 0)
        decided = n % 3 != 0 and day + dt.timedelta(days=14) < today
        items.append(AgendaItem(
            township_id=township.pk, diary_id=pk, title=ideas.rstrip("。")[:200], adopted_by_id=secretary.pk,
            adopted_at=adopted,
            status=AgendaItem.Status.DECIDED if decided else AgendaItem.Status.PENDING,
            meeting_date=(day + dt.timedelta(days=10)) if decided else None,
            decision=rng.choice(DECISIONS) if decided else "",
            decided_at=_at(day + dt.timedelta(days=10), 16, 0) if decided else None,
            decided_by_id=office_user if decided else None,
        ))
    AgendaItem.objects.bulk_create(items)
    ctx.out(f"  supervision.demo.diaries: {len(comments)} comments, {len(items)} adopted ideas")


STATE_PLAN = [
    # (status, how many, overdue?)
    (Matter.Status.REGISTERED, 6, False), (Matter.Status.ASSIGNED, 8, False), (Matter.Status.ASSIGNED, 3, True),
    (Matter.Status.IN_PROGRESS, 10, False), (Matter.Status.IN_PROGRESS, 5, True), (Matter.Status.RESOLVED, 8, False),
    (Matter.Status.REVISITED, 6, False), (Matter.Status.CLOSED, 30, False),
]


EXTERNAL = [
    (Matter.Source.HOTLINE, "12345-2026-{n:05d}"), (Matter.Source.PETITION, "信访〔2026〕{n}号"),
    (Matter.Source.VILLAGER, ""), (Matter.Source.INSPECTION, "督查〔2026〕{n}号"),
]


# Long on purpose: a linear demo recipe whose steps share one random stream and the rows made so far.
def _seed_matters(ctx: Any, rng: Any, township: Any, cadres: list[Cadre], today: dt.date) -> None:
    units = list(Unit.objects.filter(township=township, is_active=True, head__isnull=False).order_by("id"))
    if not units:
        units = list(Unit.objects.filter(township=township, is_active=True).order_by("id"))
    if not units:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for pk, unit_id in Cadre.objects.filter(unit__in=units, is_active=True, level=Cadre.Level.TOWNSHIP).values_list(
        "pk", "unit_id"
    ):
        members[unit_id].append(pk)
    rules = dict(DeadlineRule.objects.values_list("category", "days"))
    default_days = int(settings.PORTAL["MATTER_DEFAULT_DEADLINE_DAYS"])
    office_user = Cadre.objects.filter(township=township, user__groups__name="office").values_list("user_id", flat=True).first()
    leader_user = _leaders(township, cadres)[0].user_id
    sources = list(
        Diary.objects.filter(township=township, date__gte=today - dt.timedelta(days=150), date__lt=today)
        .exclude(problems="").order_by("id").values_list("pk", "date", "author_id", "village_id", "category", "problems")
    )
    rng.shuffle(sources)
    demo_people = dict(Cadre.objects.filter(township=township, user__username__in=["cadre1", "cadre2"]).values_list(
        "user__username", "pk"))
    plan = [(status, overdue) for status, count, overdue in STATE_PLAN for _ in range(count)]
    matters: list[Matter] = []
    events: list[tuple[int, list[tuple[str, str, str, dt.datetime, int | None, str]]]] = []
    villages = list(Village.objects.filter(township=township, is_active=True).values_list("pk", flat=True))
    households = defaultdict(list)
    for pk, village_id in Household.objects.filter(village__township=township, is_active=True).values_list("pk", "village_id"):
        households[village_id].append(pk)
    resolved_for = 0
    for n, (status, overdue) in enumerate(plan):
        external = n % 5 == 4 or not sources
        if external:
            source, pattern = EXTERNAL[n % len(EXTERNAL)]
            village_id = rng.choice(villages)
            category = _pick_category(rng)
            raised = rng.randint(5, 140)
            created = today - dt.timedelta(days=raised)
            description = rng.choice(PROBLEMS[category]) + "，群众来电反映，请尽快处理。"
            diary_id, raised_by = None, None
            ref = pattern.format(n=100 + n) if pattern else ""
        else:
            diary_id, day, raised_by, village_id, category, description = sources.pop()
            source, ref = Matter.Source.DIARY, ""
            created = min(today, day + dt.timedelta(days=1))
        # The fixed log-ins always have matters of their own to act on (docs/design.md §6): one each
        # just registered, and one each resolved and waiting for their return visit.
        if demo_people and (n < 2 or (status == Matter.Status.RESOLVED and resolved_for < 2)):
            raised_by = demo_people.get("cadre1" if n % 2 == 0 else "cadre2", raised_by)
            if status == Matter.Status.RESOLVED:
                resolved_for += 1
        if overdue:
            created = today - dt.timedelta(days=rng.randint(20, 40))
        days_allowed = rules.get(category, default_days)
        deadline = created + dt.timedelta(days=days_allowed)
        if overdue:
            deadline = today - dt.timedelta(days=rng.randint(1, 6))
        elif status in Matter.OPEN_STATUSES and deadline < today:
            deadline = today + dt.timedelta(days=rng.randint(1, 12))
        unit = rng.choice(units)
        assignee_id = rng.choice(members[unit.pk]) if members.get(unit.pk) else None
        if status in (Matter.Status.ASSIGNED, Matter.Status.IN_PROGRESS) and demo_people and n % 4 == 0:
            who = demo_people.get("cadre1" if n % 8 == 0 else "cadre2")
            person = Cadre.objects.filter(pk=who).values_list("unit_id", flat=True).first() if who else None
            if who and person:
                assignee_id, unit = who, next((u for u in units if u.pk == person), unit)
        m = Matter(
            township_id=township.pk, source=source, external_ref=ref, diary_id=diary_id, village_id=village_id,
            household_id=rng.choice(households[village_id]) if households.get(village_id) and rng.random() < 0.4 else None,
            category=category, description=description, status=status, raised_by_id=raised_by, deadline=deadline,
            created_at=_at(created, 9, rng.randint(0, 59)),
        )
        timeline: list[tuple[str, str, str, dt.datetime, int | None, str]] = [
            ("create", "", Matter.Status.REGISTERED, m.created_at, None, "")
        ]
        step = created
        if status != Matter.Status.REGISTERED:
            step = min(today, step + dt.timedelta(days=1))
            m.unit_id, m.assignee_id, m.assigned_at = unit.pk, assignee_id, _at(step, 10, 0)
            timeline.append(("assign", Matter.Status.REGISTERED, Matter.Status.ASSIGNED, m.assigned_at, leader_user, ""))
        if status in (Matter.Status.IN_PROGRESS, Matter.Status.RESOLVED, Matter.Status.REVISITED, Matter.Status.CLOSED):
            step = min(today, step + dt.timedelta(days=1))
            m.started_at = _at(step, 11, 0)
            timeline.append(("start", Matter.Status.ASSIGNED, Matter.Status.IN_PROGRESS, m.started_at, None, ""))
        if status in (Matter.Status.RESOLVED, Matter.Status.REVISITED, Matter.Status.CLOSED):
            step = min(today, step + dt.timedelta(days=rng.randint(2, days_allowed)))
            m.resolution, m.resolved_at = rng.choice(RESOLUTIONS), _at(step, 15, 0)
            timeline.append(("resolve", Matter.Status.IN_PROGRESS, Matter.Status.RESOLVED, m.resolved_at, None, m.resolution))
        if status in (Matter.Status.REVISITED, Matter.Status.CLOSED):
            step = min(today, step + dt.timedelta(days=rng.randint(1, 5)))
            m.satisfaction = rng.choice([Matter.Satisfaction.SATISFIED] * 3 + [Matter.Satisfaction.BASICALLY_SATISFIED])
            m.revisit_note, m.revisited_at = "电话回访，群众认可办理结果", _at(step, 16, 0)
            timeline.append(("revisit", Matter.Status.RESOLVED, Matter.Status.REVISITED, m.revisited_at, office_user,
                             m.get_satisfaction_display()))
        if status == Matter.Status.CLOSED:
            step = min(today, step + dt.timedelta(days=rng.randint(1, 3)))
            m.closed_at, m.closed_by_id = _at(step, 17, 0), office_user
            timeline.append(("close", Matter.Status.REVISITED, Matter.Status.CLOSED, m.closed_at, office_user, ""))
        matters.append(m)
        events.append((n, timeline))
    saved = Matter.objects.bulk_create(matters)  # PostgreSQL and SQLite ≥ 3.35 return the new ids
    MatterEvent.objects.bulk_create([
        MatterEvent(matter=saved[n], action=action, from_status=frm, to_status=to, at=at, by_id=by, note=note)
        for n, timeline in events for action, frm, to, at, by, note in timeline
    ])
    ctx.out(f"  supervision.demo.diaries: {len(saved)} matters")
