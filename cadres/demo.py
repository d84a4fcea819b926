"""Demo people and places for `manage.py seed_demo` (docs/design.md §6).

A believable township, 东河镇, with its villages, stations/offices, ~120 cadres, ~5,000
households, assignments, contact households, trainings and model figures, plus the fixed demo
log-ins; `--scale county` adds 19 generated townships (~2,000 cadres, ~100,000 households in
all). Deterministic (ctx.rng_for), idempotent (a township whose code exists is not seeded
again) and fast (bulk inserts; households carry no history rows, since nobody edited them).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core.demo import DemoContext

from .actor_cache import forget_all_actors
from .models import (
    Cadre,
    ExcusedAbsence,
    Household,
    HouseholdContact,
    HouseholdTag,
    Membership,
    ModelFigure,
    Post,
    School,
    Township,
    Training,
    TrainingAttendance,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)
from .roles import Role
from .services.pyramid import PyramidIndex

COUNTY = "河川县"
MAIN_CODE = "620521101"
MAIN_NAME = "东河镇"
MAIN_VILLAGES = [
    "东河村", "光明路村", "西坪村", "南沟村", "北塬村", "张家庄村", "李家湾村", "王家岔村", "红星村", "新民村",
    "前进村", "柳树沟村", "杨家坪村", "马家河村", "石门村", "桃园村", "河湾村", "上庄村", "下庄村", "城关社区",
]
EXTRA_TOWNSHIPS = [
    "西山镇", "南川镇", "北坡镇", "柳林镇", "石桥镇", "马营镇", "高庙镇", "新集镇", "三岔镇", "李家堡镇",
    "红柳镇", "金川镇", "清水镇", "白杨镇", "碧玉镇", "双泉镇", "青石镇", "龙泉镇", "花园镇",
]
UNITS = [
    ("党政办", Unit.Kind.OFFICE), ("农业服务中心", Unit.Kind.CENTER), ("财政所", Unit.Kind.STATION),
    ("社会事务办", Unit.Kind.OFFICE), ("林业站", Unit.Kind.STATION), ("水务站", Unit.Kind.STATION),
    ("自然资源所", Unit.Kind.STATION), ("综合文化站", Unit.Kind.STATION),
]
LEADERS = [
    Post.PARTY_SECRETARY, Post.TOWNSHIP_HEAD, Post.DEPUTY_SECRETARY, Post.DEPUTY_HEAD, Post.DEPUTY_HEAD,
    Post.DEPUTY_HEAD, Post.COMMITTEE_MEMBER, Post.COMMITTEE_MEMBER, Post.DISCIPLINE_SECRETARY,
]
# Which leader (index in LEADERS) is in charge of each unit (index in UNITS).
UNIT_LEADERS = [2, 3, 1, 4, 5, 5, 3, 6]
VILLAGE_POSTS = [Post.VILLAGE_SECRETARY, Post.VILLAGE_DIRECTOR, Post.VILLAGE_COMMITTEE]
GROUP_NUMERALS = "一二三四五六七八九十"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红梅海燕文辉小春林雪飞鹏宇浩晨亮斌宁"
    "婷欣怡佳瑞峰波霞凤兰萍琴云莲荣旭东永福德顺昌盛忠诚学成君彦彬晓东喜生有才万全宝山金花翠花"
)
VILLAGE_STEMS = [
    "张家", "李家", "王家", "刘家", "马家", "杨家", "赵家", "何家", "石", "柳", "桃", "杏", "红", "新", "前",
    "后", "上", "下", "东", "西", "南", "北", "黄", "白", "青", "双", "三", "庙",
]
VILLAGE_ENDS = ["村", "庄村", "湾村", "坪村", "沟村", "岔村", "堡村", "寨村", "塬村", "川村"]

TRAININGS = [
    ("干部工作方法培训班", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("入党积极分子培训班", Training.Kind.ACTIVISTS, "镇党校"),
    ("日光温室栽培技术培训", Training.Kind.AGRI_TECH, "东河村远程教育站点"),
    ("党员远程教育集中学习", Training.Kind.REMOTE_EDUCATION, "光明路村远程教育站点"),
    ("群众工作方法专题培训", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("林果病虫害防治培训", Training.Kind.AGRI_TECH, "西坪村远程教育站点"),
    ("村务公开规范化培训", Training.Kind.OTHER, "镇政府二楼会议室"),
    ("作风建设专题学习", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("高效节水灌溉技术培训", Training.Kind.AGRI_TECH, "南沟村远程教育站点"),
    ("党纪学习教育读书班", Training.Kind.OTHER, "镇党校"),
    ("入党积极分子第二期培训班", Training.Kind.ACTIVISTS, "镇党校"),
    ("乡村振兴政策宣讲", Training.Kind.REMOTE_EDUCATION, "城关社区远程教育站点"),
]

LOGINS = ["admin", "office", "secretary", "unithead", "cadre1", "cadre2", "village1", "inspector", "reporter", "county"]


def seed(ctx: DemoContext) -> None:
    tags = {t.slug: t for t in HouseholdTag.objects.all()}
    main = _seed_township(ctx, code=MAIN_CODE, name=MAIN_NAME, villages=MAIN_VILLAGES, units=UNITS, leaders=LEADERS,
                          rng=ctx.rng_for("cadres"), tags=tags, main=True)
    townships = [main]
    if ctx.scale == "county":
        for i, name in enumerate(EXTRA_TOWNSHIPS, start=2):
            rng = ctx.rng_for(f"cadres:{name}")
            townships.append(
                _seed_township(ctx, code=f"620521{100 + i}", name=name, villages=_village_names(rng, 16),
                               units=UNITS[:6], leaders=LEADERS[:7] + LEADERS[8:], rng=rng, tags=tags, main=False)
            )
    ctx.townships = townships
    ctx.main_township = main
    with transaction.atomic():
        users = _logins(ctx, main)
    ctx.extra["users"] = users
    ctx.extra["cadres"] = {name: user.cadre for name, user in users.items() if hasattr(user, "cadre")}
    ctx.extra["units"] = {u.name: u for u in Unit.objects.filter(township=main)}
    ctx.extra["villages"] = {v.name: v for v in Village.objects.filter(township=main)}


# --- one township -------------------------------------------------------------------------------------------


@transaction.atomic
def _seed_township(ctx: DemoContext, *, code: str, name: str, villages: list[str], units: Sequence[tuple[str, str]],
                   leaders: Sequence[str], rng: random.Random, tags: dict[str, HouseholdTag], main: bool) -> Township:
    existing = Township.objects.filter(code=code).first()
    if existing is not None:
        return existing
    today = ctx.today
    start = date(today.year - 1, 3, 1)
    names = _NamePool(rng)
    township = Township.objects.create(name=name, code=code, county=COUNTY)

    village_rows = bulk_create_with_history(
        [Village(township=township, name=v, code=f"{code}{i:03d}",
                 kind=Village.Kind.COMMUNITY if v.endswith("社区") else Village.Kind.VILLAGE)
         for i, v in enumerate(villages, start=1)],
        Village,
    )
    group_rows = bulk_create_with_history(
        [VillageGroup(village=v, name=f"第{GROUP_NUMERALS[g]}组", order=g + 1)
         for v in village_rows for g in range(rng.randint(4, 8))],
        VillageGroup,
    )
    groups_of: dict[int, list[VillageGroup]] = defaultdict(list)
    for group in group_rows:
        groups_of[group.village_id].append(group)
    unit_rows = bulk_create_with_history(
        [Unit(township=township, name=u, kind=kind) for u, kind in units], Unit
    )
    # Schools (校务公开 is theirs): the township's central school and middle school, and a village school.
    bulk_create_with_history(
        [School(township=township, name=f"{name}中心小学"), School(township=township, name=f"{name}初级中学"),
         School(township=township, name=f"{village_rows[0].name}小学", village=village_rows[0])],
        School,
    )

    # People: leaders, then each unit's head and staff, then three cadres per village.
    cadres: list[Cadre] = []
    leader_rows = [_cadre(township, names, rng, post=post) for post in leaders]
    cadres += leader_rows
    staff_of: dict[int, list[Cadre]] = {}
    heads: list[Cadre] = []
    for index, unit in enumerate(unit_rows):
        head = _cadre(township, names, rng, post=Post.UNIT_HEAD, unit=unit)
        staff = [_cadre(township, names, rng, post=Post.STAFF, unit=unit) for _ in range(6 if index == 0 else 5)]
        heads.append(head)
        staff_of[unit.pk] = staff
        cadres += [head, *staff]
    village_cadres = {
        v.pk: [_cadre(township, names, rng, post=post, village=v) for post in VILLAGE_POSTS] for v in village_rows
    }
    for rows in village_cadres.values():
        cadres += rows
    cadres = bulk_create_with_history(cadres, Cadre)

    for index, unit in enumerate(unit_rows):
        unit.head = heads[index]
        unit.leader_in_charge = leader_rows[min(UNIT_LEADERS[index], len(leader_rows) - 1)]
    Unit.objects.bulk_update(unit_rows, ["head", "leader_in_charge"])
    pyramid = PyramidIndex(cadres, unit_rows)
    for cadre in cadres:
        cadre.reports_to = pyramid.expected(cadre)[0]
    Cadre.objects.bulk_update(cadres, ["reports_to"], batch_size=500)
    forget_all_actors()  # bulk writes send no signals (cadres.actor_cache)

    # Every village has one leading cadre (a leader) and a 包村干部; some also a 驻村干部.
    all_staff = [c for unit in unit_rows for c in staff_of[unit.pk]]
    agri = staff_of[unit_rows[1].pk]
    special = {0: agri[0], 2: agri[0], 1: agri[1], 3: agri[1]} if main else {}  # cadre1, cadre2
    pool = [c for c in all_staff if c not in special.values()]
    assignments = []
    assigned_to: dict[int, list[Village]] = defaultdict(list)
    led_by: dict[int, list[Village]] = defaultdict(list)
    for i, village in enumerate(village_rows):
        leader = leader_rows[i % len(leader_rows)] if not (main and i == 0) else leader_rows[3]
        if main and i == 3:
            leader = leader_rows[0]  # the party secretary leads a village too
        led_by[leader.pk].append(village)
        assignments.append(VillageAssignment(cadre=leader, village=village, role=VillageAssignment.Role.LEADER,
                                             start=start, duties="统筹包村工作，督促问题办理"))
        worker = special.get(i) or pool[i % len(pool)]
        assigned_to[worker.pk].append(village)
        assignments.append(VillageAssignment(cadre=worker, village=village, role=VillageAssignment.Role.CADRE,
                                             start=start, duties="走访群众，收集民情，协助村两委工作"))
        if i % 4 == 2:
            resident = pool[(i * 7 + 3) % len(pool)]
            if resident.pk != worker.pk:
                assigned_to[resident.pk].append(village)
                assignments.append(VillageAssignment(cadre=resident, village=village,
                                                     role=VillageAssignment.Role.RESIDENT, start=start,
                                                     duties="驻村开展产业帮扶"))
    bulk_create_with_history(assignments, VillageAssignment)

    households, poor_of, farmers_of = _households(township, village_rows, groups_of, rng, tags, main=main)

    # Contact households: leaders 1 poor party member + 10 farmers in the villages they lead;
    # unit heads 1 + 5 and staff 5 in their villages. A few fall short, as in real life.
    contacts: list[HouseholdContact] = []
    taken: set[int] = set()

    def take(pool_ids: list[int], n: int) -> list[int]:
        out = []
        while pool_ids and len(out) < n:
            hid = pool_ids.pop()
            if hid not in taken:
                taken.add(hid)
                out.append(hid)
        return out

    def link(cadre: Cadre, villages_: list[Village], poor: int, farmers: int) -> None:
        plan = rng.choice(["协调产业扶持资金，发展日光温室", "帮助联系务工岗位", "落实医疗救助政策",
                           "协调解决饮水问题", "指导申请小额信贷", "定期走访，宣传惠民政策"])
        for v in villages_:
            for hid in take(poor_of[v.pk], poor):
                contacts.append(HouseholdContact(cadre=cadre, household_id=hid, start=start, help_plan=plan,
                                                 kind=HouseholdContact.Kind.POOR_PARTY_MEMBER))
                poor = 0
        left = farmers
        for v in villages_ * 3:
            if left <= 0:
                break
            got = take(farmers_of[v.pk], min(left, 4))
            left -= len(got)
            for hid in got:
                kind = HouseholdContact.Kind.ASSISTED if rng.random() < 0.3 else HouseholdContact.Kind.FARMER
                contacts.append(HouseholdContact(cadre=cadre, household_id=hid, start=start, kind=kind, help_plan=plan))

    for leader in leader_rows:
        link(leader, led_by.get(leader.pk) or [rng.choice(village_rows)], 1, 10)
    for head in heads:
        link(head, [rng.choice(village_rows)], 1, 5 if rng.random() > 0.2 else 3)
    for cadre in all_staff:
        if main and cadre.pk == agri[1].pk:
            link(cadre, assigned_to[cadre.pk], 0, 4)  # cadre2 is one short: the dashboard shows it
            continue
        if main and cadre.pk == agri[0].pk:
            link(cadre, assigned_to[cadre.pk], 0, 5)
            continue
        short = rng.random() < 0.15
        link(cadre, assigned_to.get(cadre.pk) or [rng.choice(village_rows)], 0, rng.randint(2, 4) if short else 5)
    bulk_create_with_history(contacts, HouseholdContact, batch_size=500)

    _trainings(township, village_rows, cadres, rng, today, count=len(TRAININGS) if main else 3)
    _model_figures(township, village_rows, all_staff, village_cadres, rng, today, main=main)
    _absences(all_staff + heads, rng, today, count=6 if main else 2, first=agri[0] if main else None)

    if main:
        ctx.extra["_new_logins"] = {
            "secretary": leader_rows[0], "inspector": leader_rows[-1], "office": staff_of[unit_rows[0].pk][0],
            "cadre1": agri[0], "cadre2": agri[1], "village1": village_cadres[village_rows[0].pk][0],
            "unithead": heads[1],  # the head of cadre1's and cadre2's unit
        }
    ctx.out(f"    {name}: {len(village_rows)} 村, {len(cadres)} 名干部, {len(households)} 户, {len(contacts)} 户联系户")
    return township


class _NamePool:
    """Chinese names, unique within a township so people can tell cadres apart."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self, *, unique: bool = True) -> str:
        for _attempt in range(50):
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if not unique or name not in self.used:
                self.used.add(name)
                return name
        return name


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def _cadre(township: Township, names: _NamePool, rng: random.Random, *, post: str, unit: Unit | None = None,
           village: Village | None = None) -> Cadre:
    party = post != Post.STAFF or rng.random() < 0.85
    return Cadre(
        township=township, name=names.person(), phone=_phone(rng),
        gender=Cadre.Gender.FEMALE if rng.random() < 0.3 else Cadre.Gender.MALE,
        political_status=Cadre.PoliticalStatus.PARTY_MEMBER if party else rng.choice(
            [Cadre.PoliticalStatus.MASSES, Cadre.PoliticalStatus.LEAGUE_MEMBER, Cadre.PoliticalStatus.PROBATIONARY]),
        post=post, unit=unit, village=village,
        level=Cadre.Level.VILLAGE if village is not None else Cadre.Level.TOWNSHIP,
    )


def _village_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_ENDS)
        if name not in names:
            names.append(name)
    names[-1] = names[-1][:-1] + "社区" if names[-1].endswith("村") else names[-1]
    return names


def _households(township: Township, villages: list[Village], groups_of: dict[int, list[VillageGroup]],
                rng: random.Random, tags: dict[str, HouseholdTag], *, main: bool
                ) -> tuple[list[Household], dict[int, list[int]], dict[int, list[int]]]:
    names = _NamePool(rng)
    rows: list[Household] = []
    tag_plan: list[list[str]] = []
    per_village = (200, 300) if main else (280, 345)
    for vi, village in enumerate(villages):
        groups = groups_of[village.pk]
        greenhouse_rate = 0.25 if vi % 3 == 0 else 0.03
        for i in range(rng.randint(*per_village)):
            slugs: list[str] = []
            if i < 2 or rng.random() < 0.01:
                slugs = ["party_member", "poor_party_member"]
            elif rng.random() < 0.08:
                slugs = ["party_member"]
            if rng.random() < 0.15:
                slugs.append("lifted_out_of_poverty")
                if rng.random() < 0.2:
                    slugs.append("monitored")
            if rng.random() < 0.05:
                slugs.append("subsistence")
            if rng.random() < greenhouse_rate:
                slugs.append("greenhouse")
            rows.append(Household(
                village=village, group=rng.choice(groups), head_name=names.person(unique=False),
                members=rng.choice((1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7)),
                phone=_phone(rng) if rng.random() < 0.75 else "",
            ))
            tag_plan.append(slugs)
    rows = Household.objects.bulk_create(rows, batch_size=1000)
    through = Household.tags.through
    links = [through(household_id=h.pk, householdtag_id=tags[slug].pk)
             for h, slugs in zip(rows, tag_plan, strict=True) for slug in slugs if slug in tags]
    through.objects.bulk_create(links, batch_size=2000)
    poor_of: dict[int, list[int]] = defaultdict(list)
    farmers_of: dict[int, list[int]] = defaultdict(list)
    for h, slugs in zip(rows, tag_plan, strict=True):
        (poor_of if "poor_party_member" in slugs else farmers_of)[h.village_id].append(h.pk)
    for ids in (*poor_of.values(), *farmers_of.values()):
        rng.shuffle(ids)
    return rows, poor_of, farmers_of


def _trainings(township: Township, villages: list[Village], cadres: list[Cadre], rng: random.Random, today: date,
               *, count: int) -> None:
    by_name = {v.name: v for v in villages}
    township_cadres = [c for c in cadres if c.level == Cadre.Level.TOWNSHIP]
    trainings = []
    for i, (title, kind, venue) in enumerate(TRAININGS[:count]):
        village = by_name.get(venue.replace("远程教育站点", ""))
        trainings.append(Training(
            township=township, title=title, kind=kind, venue=venue if village or count > 3 else "镇党委会议室",
            village=village, date=today - timedelta(days=20 + i * 27 + rng.randint(0, 9)),
            hours=Decimal(rng.choice(("2.0", "3.0", "4.0", "8.0"))),
        ))
    trainings = bulk_create_with_history(trainings, Training)
    attendance = []
    for training in trainings:
        people = township_cadres if training.kind == Training.Kind.WORK_METHOD else rng.sample(
            cadres, min(len(cadres), rng.randint(15, 35)))
        attendance += [TrainingAttendance(training=training, cadre=c, present=rng.random() < 0.92) for c in people]
    bulk_create_with_history(attendance, TrainingAttendance, batch_size=1000)


def _model_figures(township: Township, villages: list[Village], staff: list[Cadre],
                   village_cadres: dict[int, list[Cadre]], rng: random.Random, today: date, *, main: bool) -> None:
    period_start = date(today.year, 1, 1) if today.month > 3 else date(today.year - 1, 1, 1)
    figures = [
        ModelFigure(township=township, cadre=staff[len(staff) // 2], village=villages[1], title="扎根基层的包村干部",
                    story="坚持每周走村入户，建立民情台账，帮助群众解决饮水、道路等实际困难十余件。",
                    period_start=period_start, period_end=today),
    ]
    if main:
        figures += [
            ModelFigure(township=township, villager_name="马桂兰", village=villages[0], title="日光温室致富带头人",
                        story="带头发展日光温室12座，手把手传授种植技术，带动周边30余户增收。",
                        period_start=period_start, period_end=today),
            ModelFigure(township=township, cadre=village_cadres[villages[1].pk][0], village=villages[1],
                        title="村务公开的“明白人”",
                        story="坚持村务、财务按季公开，设立群众意见箱，村里的事让群众明明白白。",
                        period_start=period_start, period_end=today),
            ModelFigure(township=township, cadre=rng.choice(staff), village=villages[2], title="群众身边的贴心人",
                        story="把群众的急难愁盼记在民情日记里，办结一件销号一件，群众满意率明显提升。",
                        period_start=period_start, period_end=today),
        ]
    bulk_create_with_history(figures, ModelFigure)


def _absences(cadres: list[Cadre], rng: random.Random, today: date, *, count: int, first: Cadre | None) -> None:
    rows = []
    if first is not None:
        day = today - timedelta(days=35)
        rows.append(ExcusedAbsence(cadre=first, start=day, end=day + timedelta(days=2),
                                   reason=ExcusedAbsence.Reason.TRAINING, note="参加县委党校培训"))
    for cadre in rng.sample([c for c in cadres if c is not first], count):
        day = today - timedelta(days=rng.randint(10, 200))
        reason = rng.choice(list(ExcusedAbsence.Reason))
        rows.append(ExcusedAbsence(cadre=cadre, start=day, end=day + timedelta(days=rng.randint(0, 4)), reason=reason,
                                   note={"leave": "事假", "training": "外出培训", "secondment": "借调县乡村振兴局",
                                         "other": "参加县级会议"}[reason]))
    bulk_create_with_history(rows, ExcusedAbsence)


# --- the fixed log-ins -------------------------------------------------------------------------------------------


def _logins(ctx: DemoContext, main: Township) -> dict[str, Any]:
    user_model = get_user_model()
    new = ctx.extra.pop("_new_logins", {})
    users = {u.username: u for u in user_model.objects.filter(username__in=LOGINS)}
    for username in LOGINS:
        if username not in users:
            users[username] = user_model.objects.create(username=username, password=make_password(None))
    # One hash for all demo log-ins (their password is public anyway): Argon2 is slow on purpose,
    # and checking or hashing eight times would dominate the seed.
    verdicts: dict[str, bool] = {}
    fresh = ""
    for user in users.values():
        if user.password not in verdicts:
            verdicts[user.password] = check_password(ctx.password, user.password)
        if not verdicts[user.password]:
            fresh = fresh or make_password(ctx.password)
            user.password = fresh
            user.save(update_fields=["password"])
    admin = users["admin"]
    if not (admin.is_superuser and admin.is_staff):
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    office = users["office"]
    if not office.is_staff:
        office.is_staff = True  # the office works in the admin
        office.save(update_fields=["is_staff"])
    for username, cadre in new.items():
        cadre.user = users[username]
        cadre.save(update_fields=["user"])
    for username, role in (("office", Role.OFFICE), ("inspector", Role.INSPECTOR), ("reporter", Role.REPORTER)):
        users[username].groups.add(Group.objects.get_or_create(name=role)[0])
    Membership.objects.get_or_create(user=users["reporter"], defaults={"township": main})
    # County level (县委组织部): every township, as the reporter reads; works in the admin on the
    # county-wide defaults and grants the leader, inspector and office posts.
    county = users["county"]
    county.groups.add(Group.objects.get_or_create(name=Role.COUNTY)[0])
    Membership.objects.get_or_create(user=county, defaults={"township": None})
    if not county.is_staff:
        county.is_staff = True
        county.save(update_fields=["is_staff"])
    # Reload so `user.cadre` is current for whoever reads ctx.extra next.
    return {u.username: u for u in user_model.objects.filter(username__in=LOGINS).select_related("cadre")}
