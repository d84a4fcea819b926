"""The county data set (docs/design.md §7), loaded fast and deterministically.

    python -m bench.generate --scale 100k|1m|3.5m [--seed 1] [--end 2026-11-24]

~20 townships, ~2,000 cadres (100 a township: leaders, unit staff, village cadres), ~100,000
households, and as many diaries as the scale says, written on the township's workdays up to
`end` (default: yesterday), with the links, matters, disclosures, pledges, inspections,
trainings, absences and comments around them. The same seed and end give the same rows, ids
included: every row is drawn from a random stream named after what it is (`rng("diary", day)`),
so one part never shifts another.

Speed: the big tables (diaries, their household links, households, matters) are written with
PostgreSQL's COPY (psycopg 3 `cursor.copy`) into tables whose secondary indexes and foreign keys
are dropped first and rebuilt after the load; everything else in batches. Then VACUUM ANALYZE,
so the planner and the visibility map look like a database that has been in use. On another
database (SQLite, in the unit test) the same rows go in with batched INSERTs.

Historical tables (django-simple-history) are not filled for generated rows: no list, report or
job reads them, and a real deployment's history would only make them larger.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "Bench-pass-2026"
# A fixed salt makes the password hash, like every other row, the same on every run.
PASSWORD_SALT = "benchsalt2026fixed"


@dataclass(frozen=True)
class Scale:
    name: str
    diaries: int
    townships: int = 20
    villages: int = 20  # per township
    groups: int = 5  # per village
    units: int = 8  # per township
    staff: int = 46  # 机关干部 per township, besides the leaders and unit heads
    village_cadres: int = 2  # per village
    households: int = 250  # per village

    @property
    def cadres_per_township(self) -> int:
        return 2 + len(DEPUTY_POSTS) + self.units + self.staff + self.villages * self.village_cadres


SCALES = {
    "small": Scale("small", 20_000),
    "100k": Scale("100k", 100_000),
    "1m": Scale("1m", 1_000_000),
    "3.5m": Scale("3.5m", 3_500_000),
}

DEPUTY_POSTS = ["deputy_secretary", "deputy_head", "committee_member", "discipline_secretary"]
UNIT_NAMES = [
    ("党政办", "office"), ("农业服务中心", "center"), ("财政所", "station"), ("民政办", "department"),
    ("综治中心", "center"), ("文化站", "station"), ("林业站", "station"), ("经济发展办", "department"),
    ("自然资源所", "station"), ("社会事务办", "department"),
]
TOWNSHIP_NAMES = [
    "东河", "西山", "南川", "北塬", "石门", "柳湾", "杏林", "红崖", "清水", "马营", "新城", "古城",
    "沙沟", "桃园", "金川", "白杨", "龙泉", "双湾", "黄渠", "永宁", "高台", "三岔", "中堡", "上庄",
]
VILLAGE_PREFIX = "东西南北上下前后大小新老高低中"
VILLAGE_ROOT = "河山沟湾庄堡营塬坪川台渠峡岭滩寨坡园"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜"
    "范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "建国华明英军平秀兰玉芳桂珍海涛强伟刚勇杰峰斌霞丽娟红梅春燕云飞鹏志学文德福贵宝成林山东生荣金银"
CATEGORIES = ["industry", "infrastructure", "livelihood", "disputes", "policy", "party_building",
              "village_appearance", "other"]
TOPICS = {
    "industry": ["日光温室种植", "高原夏菜销售", "马铃薯收购价格", "肉牛养殖贷款", "中药材育苗", "合作社分红"],
    "infrastructure": ["通村道路硬化", "自来水管网维修", "灌溉渠道清淤", "村组路灯", "危桥改造", "农网改造"],
    "livelihood": ["低保申请", "医疗报销", "留守老人照料", "学生资助", "危房改造", "养老保险缴费"],
    "disputes": ["宅基地边界", "土地流转租金", "邻里用水", "赡养老人", "林地权属", "工程款拖欠"],
    "policy": ["惠农补贴政策", "耕地保护", "森林防火", "反诈宣传", "医保参保", "移风易俗"],
    "party_building": ["党员学习", "发展党员", "党费收缴", "主题党日", "流动党员管理", "村级后备干部"],
    "village_appearance": ["垃圾清运", "厕所改造", "房前屋后整治", "河道保洁", "村庄绿化", "残垣断壁清理"],
    "other": ["村集体经济", "防汛值班", "疫病防控", "秸秆禁烧", "务工信息", "产业规划"],
}
PEOPLE = ["户主", "村民", "老党员", "村民小组长", "种植大户", "留守老人", "返乡青年", "合作社负责人", "村医", "网格员"]
SEEN = ["反映", "谈到", "提出", "咨询", "希望了解", "诉说"]
DETAIL = [
    "目前进展缓慢，群众意见较大", "已向村两委作了反映", "需要镇上协调相关部门", "部分群众对政策还不够了解",
    "村里已开会研究，尚未落实", "涉及农户较多，需逐户核实", "资金缺口较大", "已现场查看并拍照记录",
    "群众总体满意，个别农户仍有顾虑", "需在下次例会上专题研究",
]
IDEAS = [
    "建议由包村领导牵头召开协调会，明确责任人和完成时限。", "建议将该事项纳入村级议事清单，一事一议。",
    "可以组织合作社统一采购、统一销售，降低成本。", "建议联系农业服务中心开展现场技术指导。",
    "建议对符合条件的农户逐户建档，动态管理。", "可借鉴邻村做法，成立红白理事会。",
    "建议财政所会同民政办核实后按程序办理。", "建议在村务公开栏和微信群同步公示，接受监督。",
]
PLACES = ["村委会", "田间地头", "农户家中", "文化广场", "温室大棚", "村组道路", "合作社", "养殖小区"]
SENTENCES_PER_CATEGORY = 900
COUNTY_READERS = 5
WHEN = ["上午", "下午", "今天", "傍晚", "早上"]
HOPE = ["尽快协调解决", "派人实地查看", "加大资金支持", "明确办理时限", "帮助联系技术人员", "把政策讲清楚"]
OBSERVED = ["情况与群众反映的基本一致", "问题比预想的严重", "已有部分农户自行处理", "现场还有安全隐患",
            "相关资料不够齐全"]
PROGRESS = ["推进较快", "进展缓慢", "已完成大半", "刚刚起步", "遇到一些困难"]
ATTITUDE = ["比较满意", "意见较大", "表示理解", "有些顾虑", "期待尽快落实"]


def d(value: str) -> date:
    return date.fromisoformat(value)


class Streams:
    """Independent random streams, one per name: the same name gives the same numbers on every run."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, *name: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(str(n) for n in name))


# --- writing rows -----------------------------------------------------------------------------------------


class Loader:
    """Writes rows into a model's table: COPY on PostgreSQL, batched INSERTs elsewhere.

    Only the given fields are produced by the generator; every other column gets the field's
    default (or NULL), so a field added to a model later does not break the load.
    """

    def __init__(self, now: datetime, out: Callable[[str], None]) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.now = now
        self.out = out
        self.counts: dict[str, int] = defaultdict(int)

    def _defaults(self, model: Any, given: Sequence[str]) -> tuple[list[str], list[Any], list[Any]]:
        from django.db import models

        fields = [model._meta.get_field(name) for name in given]
        names = {f.column for f in fields}
        columns = [f.column for f in fields]
        extra_fields, extra_values = [], []
        for f in model._meta.concrete_fields:
            if f.column in names or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = self.now
            elif isinstance(f, models.DateTimeField) and f.has_default():
                value = self.now  # default=timezone.now would differ between runs
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                value = f.get_default()
            extra_fields.append(f)
            extra_values.append(value)
            columns.append(f.column)
        return columns, [*fields, *extra_fields], extra_values

    def write(self, model: Any, given: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        columns, fields, extra = self._defaults(model, given)
        table = model._meta.db_table
        qn = self.connection.ops.quote_name
        json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        count = 0
        with self.connection.cursor() as cursor:
            if self.pg:
                sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        values = [*row, *extra]
                        for i in json_at:
                            values[i] = json.dumps(values[i], ensure_ascii=False)
                        copy.write_row(values)
                        count += 1
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})"
                batch: list[list[Any]] = []
                for row in rows:
                    values = [f.get_db_prep_save(v, self.connection) for f, v in zip(fields, [*row, *extra], strict=True)]
                    for i in json_at:
                        values[i] = json.dumps([*row, *extra][i], ensure_ascii=False)
                    batch.append(values)
                    count += 1
                    if len(batch) >= 2000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        self.counts[table] += count
        return count


class DetachedIndexes:
    """Drops a table's secondary indexes, unique constraints and foreign keys for a bulk load and
    builds them again afterwards (one sort per index instead of a million inserts into each).
    With `constraints=False` only the indexes: dropping a foreign key also locks the table it
    points at (the search index's load must not lock the diaries). With constraints, the tables'
    own triggers are off during the load too (the diaries' month counts: counted once afterwards,
    supervision.services.diary_months.rebuild, instead of a million row triggers)."""

    def __init__(self, tables: Sequence[str], *, constraints: bool = True) -> None:
        from django.db import connection

        self.connection = connection
        self.tables = tables
        self.drop_constraints = constraints
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[str] = []

    def __enter__(self) -> DetachedIndexes:
        if self.connection.vendor != "postgresql":
            return self
        with self.connection.cursor() as c:
            # Deferred foreign-key checks of earlier inserts would block ALTER TABLE: run them now.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in self.tables:
                if self.drop_constraints:
                    c.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
                        [table],
                    )
                    for name, definition in c.fetchall():
                        self.constraints.append((table, name, definition))
                        c.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                c.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
                    [table],
                )
                for name, definition in c.fetchall():
                    self.indexes.append(definition)
                    c.execute(f"DROP INDEX {name}")
                if self.drop_constraints:
                    c.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        return self

    def __exit__(self, *exc: object) -> None:
        if self.connection.vendor != "postgresql" or exc[0] is not None:
            return
        with self.connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("SET CONSTRAINTS ALL DEFERRED")
            c.execute("SET maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                c.execute(definition)
            # Unique constraints before foreign keys (a key may point at a unique column).
            for table, name, definition in sorted(self.constraints, key=lambda t: "FOREIGN KEY" in t[2]):
                c.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            if self.drop_constraints:
                for table in self.tables:
                    c.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


# --- the data set -----------------------------------------------------------------------------------------


@dataclass
class CadreInfo:
    id: int
    township: int  # index 0..T-1
    township_id: int
    post: str
    level: str
    unit_id: int | None
    village_id: int | None  # own village (village cadres)
    user_id: int
    username: str
    home_villages: list[int] = field(default_factory=list)
    contacts: dict[int, list[int]] = field(default_factory=dict)  # village id -> household ids
    rate: float = 0.9


@dataclass
class World:
    scale: Scale
    seed: int
    end: date
    start: date = date.min
    township_ids: list[int] = field(default_factory=list)
    villages: list[list[int]] = field(default_factory=list)  # per township index
    village_names: dict[int, str] = field(default_factory=dict)
    village_groups: dict[int, list[int]] = field(default_factory=dict)
    village_households: dict[int, tuple[int, int]] = field(default_factory=dict)  # first id, count
    units: list[list[int]] = field(default_factory=list)
    unit_members: dict[int, list[int]] = field(default_factory=dict)
    cadres: list[CadreInfo] = field(default_factory=list)
    by_township: list[list[CadreInfo]] = field(default_factory=list)
    secretary: list[int] = field(default_factory=list)  # cadre id per township
    head: list[int] = field(default_factory=list)
    deputies: list[list[int]] = field(default_factory=list)
    unit_heads: dict[int, int] = field(default_factory=dict)
    unit_lic: dict[int, int] = field(default_factory=dict)
    workdays: list[date] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, dtime(hour, minute), tzinfo=TZ)


def _empty_or_refuse() -> None:
    from cadres.models import Township
    from supervision.models import Diary

    if Township.objects.exists() or Diary.objects.exists():
        raise SystemExit("The database already holds townships or diaries: generate into an empty (migrated) database.")


def _calendar(loader: Loader, first: date, last: date) -> None:
    """National holidays for years before the ones the migrations seed (approximate, fixed dates)."""
    from cadres.models import CalendarDay

    have = set(CalendarDay.objects.filter(township__isnull=True).values_list("date", flat=True))
    years_with_rows = {day.year for day in have}
    rows = []
    for year in range(first.year, last.year + 1):
        if year in years_with_rows:
            continue
        off = [(date(year, 1, 1), "元旦")]
        off += [(date(year, 5, 1) + timedelta(days=i), "劳动节") for i in range(3)]
        off += [(date(year, 10, 1) + timedelta(days=i), "国庆节") for i in range(7)]
        rows += [(day, False, name) for day, name in off if day not in have]
    loader.write(CalendarDay, ["date", "is_workday", "name"], rows)


def _span_start(scale: Scale, end: date, writers: int) -> date:
    """A first day early enough to hold the diaries (the exact first day is found while drawing)."""
    per_workday = max(1.0, writers * 0.8)
    workdays_needed = scale.diaries / per_workday
    return end - timedelta(days=int(workdays_needed * 7 / 5 * 1.25) + 40)


# Long on purpose: one linear recipe of the benchmark's people and places, read top to bottom; split, it would only
# pass its many id tables around.
def build_people(world: World, loader: Loader, rng: Streams) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from cadres.models import (
        Cadre,
        Household,
        HouseholdContact,
        HouseholdTag,
        Membership,
        Township,
        Unit,
        Village,
        VillageAssignment,
        VillageGroup,
    )

    scale = world.scale
    password = make_password(PASSWORD, salt=PASSWORD_SALT)
    since = world.start - timedelta(days=30)
    # Townships, villages, groups.
    names = rng("names")
    township_rows, village_rows, group_rows = [], [], []
    vid = gid = 0
    for t in range(scale.townships):
        tid = t + 1
        world.township_ids.append(tid)
        township_rows.append((tid, TOWNSHIP_NAMES[t % len(TOWNSHIP_NAMES)] + ("镇" if t < len(TOWNSHIP_NAMES) else f"{t}镇"),
                              f"6201{t + 1:04d}", "基准县"))
        world.villages.append([])
        used: set[str] = set()
        for v in range(scale.villages):
            vid += 1
            name = names.choice(VILLAGE_PREFIX) + names.choice(VILLAGE_ROOT) + "村"
            while name in used:
                name = names.choice(VILLAGE_PREFIX) + names.choice(VILLAGE_ROOT) + names.choice("一二三四五") + "村"
            used.add(name)
            world.villages[t].append(vid)
            world.village_names[vid] = name
            village_rows.append((vid, tid, name, f"V{t + 1:02d}{v + 1:03d}", "village" if v % 7 else "community", True))
            world.village_groups[vid] = []
            for g in range(scale.groups):
                gid += 1
                world.village_groups[vid].append(gid)
                group_rows.append((gid, vid, f"第{g + 1}村民小组", g + 1))
    loader.write(Township, ["id", "name", "code", "county"], township_rows)
    loader.write(Village, ["id", "township_id", "name", "code", "kind", "is_active"], village_rows)
    loader.write(VillageGroup, ["id", "village_id", "name", "order"], group_rows)

    # Units, cadres, log-ins.
    unit_rows, cadre_rows, user_rows = [], [], []
    uid = cid = 0
    people = rng("people")
    for t in range(scale.townships):
        tid = t + 1
        world.units.append([])
        members: list[CadreInfo] = []

        def add(post: str, level: str = "township", unit: int | None = None, village: int | None = None,
                reports_to: int | None = None, tag: str = "", _t: int = t, _members: list[CadreInfo] = members) -> CadreInfo:
            nonlocal cid
            cid += 1
            username = f"bench_t{_t + 1:02d}_{len(_members) + 1:03d}"
            info = CadreInfo(cid, _t, _t + 1, post, level, unit, village, cid, username,
                             rate=0.75 if post in ("party_secretary", "township_head") else 0.9)
            _members.append(info)
            cadre_rows.append((cid, cid, _t + 1, _name(people), people.choice(("male", "male", "female")), _phone(people),
                               "party_member", post, level, unit, village, reports_to, True))
            user_rows.append((cid, username, password, True, False, False, _at(since, 9)))
            return info

        secretary = add("party_secretary")
        head = add("township_head")
        world.secretary.append(secretary.id)
        world.head.append(head.id)
        deputies = [add(post, reports_to=secretary.id if post != "deputy_head" else head.id) for post in DEPUTY_POSTS]
        world.deputies.append([c.id for c in deputies])
        for u in range(scale.units):
            uid += 1
            world.units[t].append(uid)
            world.unit_members[uid] = []
            world.unit_lic[uid] = deputies[u % len(deputies)].id
        for u, unit_id in enumerate(world.units[t]):
            unit_head = add("unit_head", unit=unit_id, reports_to=world.unit_lic[unit_id])
            world.unit_heads[unit_id] = unit_head.id
            world.unit_members[unit_id].append(unit_head.id)
            uname, kind = UNIT_NAMES[u % len(UNIT_NAMES)]
            unit_rows.append((unit_id, tid, uname if u < len(UNIT_NAMES) else f"{uname}{u}", kind, None, None, True))
        for s in range(scale.staff):
            unit_id = world.units[t][s % scale.units]
            staff = add("staff", unit=unit_id, reports_to=world.unit_heads[unit_id])
            world.unit_members[unit_id].append(staff.id)
        for village_id in world.villages[t]:
            for k in range(scale.village_cadres):
                add(("village_secretary", "village_director", "village_committee")[min(k, 2)], level="village",
                    village=village_id)
        world.by_township.append(members)
        world.cadres.extend(members)
    loader.write(Unit, ["id", "township_id", "name", "kind", "head_id", "leader_in_charge_id", "is_active"], unit_rows)
    loader.write(User, ["id", "username", "password", "is_active", "is_staff", "is_superuser", "date_joined"], user_rows)
    # Cadres refer to each other (reports_to), in id order: superiors always come first.
    loader.write(Cadre, ["id", "user_id", "township_id", "name", "gender", "phone", "political_status", "post", "level",
                         "unit_id", "village_id", "reports_to_id", "is_active"], cadre_rows)
    for unit_id, head_id in world.unit_heads.items():
        # updated_at as the COPY rows have it (Loader fills every auto_now column with its `now`).
        Unit.objects.filter(pk=unit_id).update(head_id=head_id, leader_in_charge_id=world.unit_lic[unit_id],
                                               updated_at=loader.now)

    # Log-ins the benchmark uses: fixed names on township 1, plus the county-level reader.
    first = world.by_township[0]
    office_unit = world.units[0][0]
    office = next(c for c in first if c.unit_id == office_unit and c.post == "staff")
    cadre = next(c for c in first if c.post == "staff" and c.unit_id != office_unit)
    renames = {first[0].id: "bench_secretary", office.id: "bench_office", cadre.id: "bench_cadre"}
    for cadre_id, username in renames.items():
        User.objects.filter(pk=cadre_id).update(username=username)
        next(c for c in first if c.id == cadre_id).username = username
    # The county's readers (县委组织部, 县纪委 staff): a handful, so that the county cases rotate.
    county_ids = [len(world.cadres) + 1 + i for i in range(COUNTY_READERS)]
    county_names = ["bench_county", *(f"bench_county_{i + 1}" for i in range(1, COUNTY_READERS))]
    loader.write(User, ["id", "username", "password", "is_active", "is_staff", "is_superuser", "date_joined"],
                 [(pk, name, password, True, False, False, _at(since, 9))
                  for pk, name in zip(county_ids, county_names, strict=True)])
    loader.write(Membership, ["user_id", "township_id"], [(pk, None) for pk in county_ids])
    groups = dict(Group.objects.values_list("name", "pk"))
    member_rows: list[tuple[int, int]] = [(pk, groups["county"]) for pk in county_ids] if "county" in groups else []
    if "office" in groups:
        for t in range(scale.townships):
            office_t = next(c for c in world.by_township[t] if c.unit_id == world.units[t][0] and c.post == "staff")
            member_rows.append((office_t.user_id, groups["office"]))
    loader.write(User.groups.through, ["user_id", "group_id"], member_rows)
    world.logins = {"secretary": "bench_secretary", "office": "bench_office", "cadre": "bench_cadre",
                    "county": "bench_county"}

    # Assignments: each deputy leads a share of the villages; unit heads and staff are 包村干部.
    assignment_rows = []
    for t in range(scale.townships):
        villages = world.villages[t]
        lead_ids = world.deputies[t]
        for i, village_id in enumerate(villages):
            lead = lead_ids[i % len(lead_ids)]
            assignment_rows.append((lead, village_id, "leader", since, None))
            next(c for c in world.by_township[t] if c.id == lead).home_villages.append(village_id)
        workers = [c for c in world.by_township[t] if c.post in ("unit_head", "staff")]
        for i, c in enumerate(workers):
            village_id = villages[i % len(villages)]
            c.home_villages.append(village_id)
            assignment_rows.append((c.id, village_id, "resident" if i % 9 == 0 else "cadre", since, None))
        for c in world.by_township[t]:
            if c.village_id:
                c.home_villages.append(c.village_id)
            elif not c.home_villages:  # the secretary and the head: two villages they often visit
                c.home_villages.extend(villages[:2] if c.post == "party_secretary" else villages[2:4])
    loader.write(VillageAssignment, ["cadre_id", "village_id", "role", "start", "end"], assignment_rows)

    # Households (COPY), their tags, and the contact links (1 poor party member + 10 farmers for leaders).
    hh = rng("households")
    tag_ids = list(HouseholdTag.objects.order_by("pk").values_list("pk", flat=True))
    tag_rows: list[tuple[int, int]] = []

    def households() -> Iterator[tuple[Any, ...]]:
        hid = 0
        for t in range(scale.townships):
            for village_id in world.villages[t]:
                world.village_households[village_id] = (hid + 1, scale.households)
                groups_here = world.village_groups[village_id]
                for _ in range(scale.households):
                    hid += 1
                    if tag_ids and hh.random() < 0.4:
                        tag_rows.append((hid, hh.choice(tag_ids)))
                    yield (hid, village_id, hh.choice(groups_here), _name(hh), hh.randint(1, 7),
                           _phone(hh) if hh.random() < 0.85 else "", "", True)

    with DetachedIndexes([Household._meta.db_table, Household.tags.through._meta.db_table]):
        loader.write(Household, ["id", "village_id", "group_id", "head_name", "members", "phone", "note", "is_active"],
                     households())
        loader.write(Household.tags.through, ["household_id", "householdtag_id"], tag_rows)
    quotas = {"party_secretary": (1, 10), "township_head": (1, 10), "unit_head": (1, 5), "staff": (0, 5),
              **dict.fromkeys(DEPUTY_POSTS, (1, 10))}
    contact_rows = []
    cr = rng("contacts")
    taken: dict[int, set[int]] = defaultdict(set)  # village -> household ids already linked as poor party member
    for c in world.cadres:
        if c.level != "township":
            continue
        poor, farmers = quotas.get(c.post, (0, 5))
        village_id = c.home_villages[0]
        first_id, count = world.village_households[village_id]
        picked = cr.sample(range(first_id, first_id + count), min(count, poor + farmers))
        c.contacts[village_id] = picked
        for i, household_id in enumerate(picked):
            kind = "poor_party_member" if i < poor and household_id not in taken[village_id] else "farmer"
            if kind == "poor_party_member":
                taken[village_id].add(household_id)
            contact_rows.append((c.id, household_id, kind, since, None, "结对帮扶，定期走访，协调解决生产生活困难。"))
    loader.write(HouseholdContact, ["cadre_id", "household_id", "kind", "start", "end", "help_plan"], contact_rows)


class Texts:
    """The diaries' texts, composed per diary from pools of sentences (docs/performance.md, 数据集).

    Assumed lengths, from the township's paper diaries: a situation of 200–600 characters (an
    opening and four to twelve sentences, most on the diary's own category, some on another);
    problems and ideas of 30–150 characters (one to three sentences). Every diary draws its own
    combination, so texts repeat no more than real ones do; the sentences come from pools of a few
    thousand, so the search index can segment each sentence once (`bench.run.ensure_search_index`:
    a text's terms are its sentences' terms, as segmentation never crosses a 。).
    """

    def __init__(self, rng: random.Random) -> None:
        self.situation = {c: [_situation_sentence(rng, c) for _ in range(SENTENCES_PER_CATEGORY)] for c in CATEGORIES}
        self.problem = {c: [_problem_sentence(rng, c) for _ in range(SENTENCES_PER_CATEGORY // 3)] for c in CATEGORIES}
        self.idea = {c: [_idea_sentence(rng, c) for _ in range(SENTENCES_PER_CATEGORY // 6)] for c in CATEGORIES}
        self.openers = [f"{rng.choice(WHEN)}到{rng.choice(PLACES)}走访{rng.choice(PEOPLE)}{_name(rng)}等"
                        f"{rng.randint(1, 6)}户，" for _ in range(SENTENCES_PER_CATEGORY)]
        self.people = ["、".join(_name(rng) for _ in range(rng.randint(1, 3))) for _ in range(SENTENCES_PER_CATEGORY)]

    def diary(self, x: random.Random, category: str) -> tuple[str, str, str, str]:
        """(situation, problems, ideas, people met) of one diary of `category`."""
        target = x.randint(200, 600)
        parts = [x.choice(self.openers)]
        size = len(parts[0])
        while size < target or len(parts) < 5:
            pool = self.situation[category if x.random() < 0.7 else x.choice(CATEGORIES)]
            sentence = x.choice(pool)
            if size + len(sentence) > 600:
                break
            parts.append(sentence)
            size += len(sentence)
        problems = self._some(x, self.problem[category], 30, 150)
        ideas = self._some(x, self.idea[category], 30, 150)
        return "".join(parts), problems, ideas, x.choice(self.people)

    @staticmethod
    def _some(x: random.Random, pool: list[str], low: int, high: int) -> str:
        """One to three sentences of `pool`, low to high characters in all."""
        chosen = [x.choice(pool)]
        for _ in range(x.randint(0, 2)):
            sentence = x.choice(pool)
            if len("".join(chosen)) + len(sentence) <= high and sentence not in chosen:
                chosen.append(sentence)
        while len("".join(chosen)) < low:
            chosen.append(x.choice(pool))
        return "".join(chosen)


def _situation_sentence(rng: random.Random, category: str) -> str:
    topic = rng.choice(TOPICS[category])
    person, seen, detail = rng.choice(PEOPLE), rng.choice(SEEN), rng.choice(DETAIL)
    n = rng.randint(2, 40)
    return rng.choice([
        f"{person}{_name(rng)}{seen}{topic}方面的情况，{detail}。",
        f"据{person}介绍，{topic}涉及本组{n}户群众，{detail}，希望镇上{rng.choice(HOPE)}。",
        f"在{rng.choice(PLACES)}与{person}座谈，了解{topic}的进展，{detail}。",
        f"另有群众{seen}{topic}问题，{detail}。",
        f"入户查看了{topic}的实际情况，{rng.choice(OBSERVED)}，已当场向群众解释相关政策。",
        f"今年以来{topic}工作{rng.choice(PROGRESS)}，{person}对此{rng.choice(ATTITUDE)}。",
        f"针对群众关心的{topic}，向{n}户农户宣讲了政策要求和办理程序，{detail}。",
    ])


def _problem_sentence(rng: random.Random, category: str) -> str:
    topic = rng.choice(TOPICS[category])
    detail = rng.choice(DETAIL)
    return rng.choice([
        f"{topic}问题：{detail}，需尽快研究解决。",
        f"{rng.choice(PEOPLE)}反映{topic}方面存在困难，{detail}，希望{rng.choice(HOPE)}。",
        f"{topic}涉及{rng.randint(2, 60)}户群众切身利益，{detail}。",
        f"{topic}{rng.choice(PROGRESS)}，{rng.choice(PEOPLE)}{rng.choice(ATTITUDE)}。",
    ])


def _idea_sentence(rng: random.Random, category: str) -> str:
    topic = rng.choice(TOPICS[category])
    return rng.choice([rng.choice(IDEAS), f"围绕{topic}，{rng.choice(IDEAS)}",
                       f"{topic}方面，建议{rng.choice(HOPE)}，并在村务公开栏公示办理结果。"])


def _workdays(first: date, last: date) -> list[date]:
    from cadres.calendar import workdays

    return workdays(first, last, None)


# Long on purpose: one linear recipe of the diaries and what hangs off them, streamed through one COPY loader.
def build_diaries(world: World, loader: Loader, rng: Streams, out: Callable[[str], None]) -> None:
    """Diaries (COPY), their household links, matters, comments and agenda items."""
    from supervision.models import AgendaItem, Diary, DiaryComment, Matter
    from supervision.services.diary_months import rebuild as rebuild_diary_months

    scale = world.scale
    writers = world.cadres
    days = world.workdays
    # Backwards: how many diaries each workday gets, until the target is reached.
    counts: dict[date, int] = {}
    total = 0
    first_day = days[0]
    for day in reversed(days):
        r = rng("write", day)
        n = sum(1 for c in writers if r.random() < c.rate)
        counts[day] = n
        total += n
        first_day = day
        if total >= scale.diaries:
            break
    else:
        raise RuntimeError("the calendar span is too short for the requested number of diaries")
    skip_first = total - scale.diaries  # the first day keeps only its last writers
    world.start = first_day
    texts = Texts(rng("texts"))
    diary_cols = ["id", "township_id", "author_id", "date", "village_id", "place", "people_met", "category",
                  "situation", "problems", "ideas", "on_time", "created_at", "updated_at", "deleted_at"]
    links: list[tuple[int, int]] = []
    matters: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    agenda: list[tuple[Any, ...]] = []
    end = world.end
    township_units = world.units

    def rows() -> Iterator[tuple[Any, ...]]:
        diary_id = 0
        for day in days:
            if day < first_day:
                continue
            r = rng("write", day)
            chosen = [c for c in writers if r.random() < c.rate]
            if day == first_day:
                chosen = chosen[skip_first:]
            x = rng("diary", day)
            evening = _at(day, 17)
            for c in chosen:
                diary_id += 1
                village_id = x.choice(c.home_villages) if x.random() < 0.85 else x.choice(world.villages[c.township])
                category = x.choice(CATEGORIES)
                situation, problems, ideas, people = texts.diary(x, category)
                has_problem = x.random() < 0.4
                has_idea = x.random() < 0.25
                on_time = x.random() < 0.92
                created = evening + timedelta(minutes=x.randrange(240)) if on_time else \
                    evening + timedelta(days=x.randint(1, 3), minutes=x.randrange(240))
                deleted = created + timedelta(hours=1) if x.random() < 0.001 else None
                yield (diary_id, c.township_id, c.id, day, village_id, x.choice(PLACES), people, category,
                       situation, problems if has_problem else "", ideas if has_idea else "",
                       on_time, created, created, deleted)
                n_links = x.choice((0, 0, 1, 1, 1, 2)) if x.random() < 0.8 else 0
                first_id, count = world.village_households[village_id]
                own = c.contacts.get(village_id, [])
                seen: set[int] = set()
                for _ in range(n_links):
                    household_id = x.choice(own) if own and x.random() < 0.7 else first_id + x.randrange(count)
                    if household_id not in seen:
                        seen.add(household_id)
                        links.append((diary_id, household_id))
                if has_problem and x.random() < 0.08:
                    matters.append(_matter(x, world, township_units, c, diary_id, day, village_id, category,
                                           problems, seen, end))
                if deleted is None and x.random() < 0.005:
                    comments.append((diary_id, world.secretary[c.township], "已阅。请抓紧协调落实，及时反馈群众。",
                                     created + timedelta(days=1)))
                if deleted is None and has_idea and x.random() < 0.004:
                    decided = (end - day).days > 30
                    agenda.append((world.township_ids[c.township], diary_id, ideas[:60],
                                   world.secretary[c.township], created + timedelta(days=2),
                                   "decided" if decided else "pending",
                                   day + timedelta(days=14) if decided else None,
                                   "党委会研究同意，由分管领导牵头落实。" if decided else "",
                                   created + timedelta(days=14) if decided else None))

    started = time.monotonic()
    with DetachedIndexes([Diary._meta.db_table, Diary.households.through._meta.db_table]):
        n = loader.write(Diary, diary_cols, rows())
        out(f"  diaries: {n:,} rows copied in {time.monotonic() - started:.0f} s; links {len(links):,}")
        loader.write(Diary.households.through, ["diary_id", "household_id"], links)
        out(f"  links copied; rebuilding indexes ({time.monotonic() - started:.0f} s)")
    out(f"  diary indexes rebuilt ({time.monotonic() - started:.0f} s)")
    out(f"  diaries by month: {rebuild_diary_months():,} rows counted ({time.monotonic() - started:.0f} s)")
    with DetachedIndexes([Matter._meta.db_table]):
        loader.write(Matter, MATTER_COLS, matters)
    loader.write(DiaryComment, ["diary_id", "author_id", "text", "created_at"], comments)
    loader.write(AgendaItem, ["township_id", "diary_id", "title", "adopted_by_id", "adopted_at", "status",
                              "meeting_date", "decision", "decided_at"], agenda)


MATTER_COLS = ["township_id", "source", "diary_id", "village_id", "household_id", "category", "description", "status",
               "raised_by_id", "unit_id", "assignee_id", "deadline", "assigned_at", "started_at", "resolution",
               "resolved_at", "satisfaction", "revisit_note", "revisited_at", "closed_at", "created_at", "updated_at"]


def _matter(x: random.Random, world: World, township_units: list[list[int]], c: CadreInfo, diary_id: int, day: date,
            village_id: int, category: str, description: str, households: set[int], end: date) -> tuple[Any, ...]:
    age = (end - day).days
    roll = x.random()
    if age > 60:
        status = "closed" if roll < 0.75 else "revisited" if roll < 0.83 else "resolved" if roll < 0.9 else \
            "in_progress" if roll < 0.96 else "assigned"
    elif age > 15:
        status = "closed" if roll < 0.3 else "resolved" if roll < 0.5 else "in_progress" if roll < 0.85 else "assigned"
    else:
        status = "registered" if roll < 0.3 else "assigned" if roll < 0.6 else "in_progress" if roll < 0.9 else "resolved"
    created = _at(day, 19)
    unit_id = assignee = deadline = assigned = started = resolved = revisited = closed = None
    resolution = satisfaction = note = ""
    if status != "registered":
        unit_id = x.choice(township_units[c.township])
        assignee = x.choice(world.unit_members[unit_id])
        deadline = day + timedelta(days=1 + 15)
        assigned = created + timedelta(days=1)
    if status in ("in_progress", "resolved", "revisited", "closed"):
        started = created + timedelta(days=2)
    if status in ("resolved", "revisited", "closed"):
        resolved = created + timedelta(days=x.randint(3, 20))
        resolution = "已协调相关单位现场办理，群众认可。"
    if status in ("revisited", "closed"):
        revisited = resolved + timedelta(days=3) if resolved else None
        satisfaction = x.choice(("satisfied", "satisfied", "basically_satisfied"))
        note = "电话回访，群众表示满意。"
    if status == "closed":
        closed = (revisited or created) + timedelta(days=2)
    household = min(households) if households else None
    updated = closed or revisited or resolved or started or assigned or created
    return (world.township_ids[c.township], "diary", diary_id, village_id, household, category, description, status,
            c.id, unit_id, assignee, deadline, assigned, started, resolution, resolved, satisfaction, note, revisited,
            closed, created, updated)


# Long on purpose: one linear recipe of the benchmark's duties (absences … pledges), read top to bottom; split, it
# would only pass its id tables around.
def build_duties(world: World, loader: Loader, rng: Streams) -> None:
    """Absences, trainings, model figures, inspections, disclosures and this year's pledges."""
    from cadres.models import ExcusedAbsence, ModelFigure, Training, TrainingAttendance
    from supervision.models import (
        Disclosure,
        DisclosureRequirement,
        Inspection,
        InspectionFinding,
        Pledge,
        PledgeTarget,
    )

    # Duties have at least a year of history, whatever the number of diaries.
    scale, end = world.scale, world.end
    start = min(world.start, end - timedelta(days=365))
    r = rng("absences")
    absences = []
    for c in world.cadres:
        if c.level != "township":
            continue
        for year in range(start.year, end.year + 1):
            for _ in range(3):
                a_start = date(year, 1, 1) + timedelta(days=r.randrange(365))
                if start <= a_start <= end:
                    absences.append((c.id, a_start, a_start + timedelta(days=r.randint(0, 4)),
                                     r.choice(("leave", "training", "secondment", "other")), ""))
    loader.write(ExcusedAbsence, ["cadre_id", "start", "end", "reason", "note"], absences)

    months = []
    month = date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    r = rng("trainings")
    trainings, attendance, figures = [], [], []
    training_id = 0
    for t in range(scale.townships):
        duty = [c.id for c in world.by_township[t] if c.level == "township"]
        for m in months:
            day = m + timedelta(days=r.randrange(27))
            if day > end:
                continue
            training_id += 1
            kind = r.choice(("work_method", "activists", "agri_tech", "remote_education"))
            trainings.append((training_id, world.township_ids[t], f"{m.year}年{m.month}月干部培训", kind, "镇会议室",
                              world.villages[t][r.randrange(len(world.villages[t]))], day, Decimal("2.0")))
            attendance.extend((training_id, cadre_id, r.random() < 0.9) for cadre_id in r.sample(duty, min(20, len(duty))))
            if m.month in (3, 6, 9, 12):
                figures.append((world.township_ids[t], world.secretary[t], "", world.villages[t][0],
                                f"{m.year}年{m.month}月扎根基层的好干部", "常年坚持走村入户，帮助群众解决急难愁盼问题。",
                                m, m + timedelta(days=27)))
    loader.write(Training, ["id", "township_id", "title", "kind", "venue", "village_id", "date", "hours"], trainings)
    loader.write(TrainingAttendance, ["training_id", "cadre_id", "present"], attendance)
    loader.write(ModelFigure, ["township_id", "cadre_id", "villager_name", "village_id", "title", "story", "period_start",
                               "period_end"], figures)

    r = rng("inspections")
    inspections, findings, inspectors = [], [], []
    inspection_id = 0
    for t in range(scale.townships):
        discipline = world.deputies[t][-1]
        for m in months:
            for _ in range(2):
                day = m + timedelta(days=r.randrange(27))
                if day > end:
                    continue
                inspection_id += 1
                kind = "announced" if r.random() < 0.7 else "unannounced"
                subject = r.choice(("cadre", "unit", "village"))
                published = _at(day + timedelta(days=10), 10) if r.random() < 0.5 else None
                inspections.append((inspection_id, world.township_ids[t], day, kind, f"{m.month}月作风督查", subject,
                                    r.choice([c.id for c in world.by_township[t]]) if subject == "cadre" else None,
                                    r.choice(world.units[t]) if subject == "unit" else None,
                                    r.choice(world.villages[t]) if subject == "village" else None,
                                    "对照作风建设要求开展督查。", published,
                                    _at(day + timedelta(days=30), 10) if (end - day).days > 45 else None, _at(day, 16)))
                inspectors.append((inspection_id, discipline))
                for _ in range(r.randint(0, 2)):
                    deadline = day + timedelta(days=15)
                    findings.append((inspection_id, r.choice(("formalism", "bureaucratism", "slackness", "buck_passing",
                                                              "indifference", "other")),
                                     "台账资料不全，群众反映问题跟进不及时。", r.choice(("reminder", "circulated", "interview")),
                                     deadline, _at(deadline, 12) if deadline < end else None))
    loader.write(Inspection, ["id", "township_id", "date", "kind", "title", "subject_type", "subject_cadre_id",
                              "subject_unit_id", "subject_village_id", "summary", "published_at", "closed_at",
                              "created_at"], inspections)
    loader.write(Inspection.inspectors.through, ["inspection_id", "cadre_id"], inspectors)
    loader.write(InspectionFinding, ["inspection_id", "category", "description", "action", "rectification_deadline",
                                     "rectified_at"], findings)

    # Disclosures: every village, every period in the span, mostly on time.
    requirements = list(DisclosureRequirement.objects.filter(township__isnull=True, is_active=True).order_by("pk"))
    r = rng("disclosures")
    disclosures = []
    for t in range(scale.townships):
        village_cadres = {c.village_id: c.id for c in world.by_township[t] if c.village_id}
        for village_id in world.villages[t]:
            poster = village_cadres.get(village_id)
            for req in requirements:
                for p_start, p_end, due in _periods(req.frequency, req.due_day, start, end, r):
                    if r.random() < 0.08:
                        continue  # missing
                    posted = due - timedelta(days=r.randint(0, 12)) if r.random() < 0.85 else \
                        due + timedelta(days=r.randint(1, 20))
                    posted = max(posted, p_start)
                    if posted > end:
                        continue
                    decision = p_start if req.frequency == "immediate" else None
                    disclosures.append((world.township_ids[t], village_id, req.pk, req.domain, req.category,
                                        f"{world.village_names[village_id]}{req.category}（{p_start:%Y年%m月}）",
                                        f"{req.category}：详见公开栏。", p_start, p_end, decision, posted, "board", 10,
                                        poster, _at(posted, 10)))
    loader.write(Disclosure, ["township_id", "village_id", "requirement_id", "domain", "category", "title", "content",
                              "period_start", "period_end", "decision_date", "posted_on", "channel", "display_days",
                              "posted_by_id", "created_at"], disclosures)

    # This year's pledges: villages → township head, units → leader in charge, deputies → secretary,
    # staff → unit head; most countersigned, some still to sign.
    r = rng("pledges")
    year = end.year
    pledges, targets = [], []
    pledge_id = 0
    issued = _at(date(year, 1, 10), 9)

    def pledge(t: int, level: str, village: int | None, unit: int | None, cadre: int | None, superior: int) -> None:
        nonlocal pledge_id
        pledge_id += 1
        roll = r.random()
        status = "countersigned" if roll < 0.8 else "signed" if roll < 0.9 else "issued"
        signed = issued + timedelta(days=r.randint(1, 20)) if status != "issued" else None
        counter = signed + timedelta(days=2) if signed and status == "countersigned" else None
        pledges.append((pledge_id, world.township_ids[t], year, level, f"{year}年度目标管理责任书", village, unit, cadre,
                        superior, status, Decimal("10"), issued, signed, counter))
        for order, (kind, task, points, auto) in enumerate((
            ("base", "民情日记按时填写，问题跟踪办结", Decimal("40"), ""),
            ("base", "联系户走访全覆盖", Decimal("30"), ""),
            ("base", "村务公开按时规范" if village else "重点工作任务完成", Decimal("20"), "disclosure" if village else ""),
            ("base", "作风建设日常表现", Decimal("10"), ""),
            ("bonus", "典型经验被县级以上推广", Decimal("5"), ""),
            ("veto", "不发生违反八项规定精神问题", Decimal("0"), ""),
        )):
            targets.append((pledge_id, kind, task, "按考核细则评分", points, auto, order))

    for t in range(scale.townships):
        for village_id in world.villages[t]:
            pledge(t, "village", village_id, None, None, world.head[t])
        for unit_id in world.units[t]:
            pledge(t, "unit", None, unit_id, None, world.unit_lic[unit_id])
        for deputy in world.deputies[t]:
            pledge(t, "deputy", None, None, deputy, world.secretary[t])
        for c in world.by_township[t]:
            if c.post == "staff" and c.unit_id:
                pledge(t, "staff", None, None, c.id, world.unit_heads[c.unit_id])
    loader.write(Pledge, ["id", "township_id", "year", "level", "title", "pledger_village_id", "pledger_unit_id",
                          "pledger_cadre_id", "superior_id", "status", "bonus_cap", "issued_at", "signed_at",
                          "countersigned_at"], pledges)
    loader.write(PledgeTarget, ["pledge_id", "kind", "task", "scoring_rule", "points", "auto_source", "order"], targets)


def _periods(frequency: str, due_day: int, start: date, end: date, r: random.Random) -> Iterator[tuple[date, date, date]]:
    """(period start, period end, due date) of each period that ended inside [start, end]."""
    if frequency == "immediate":
        day = start
        while day <= end:
            day += timedelta(days=r.randint(30, 90))
            if day <= end:
                yield day, day, day + timedelta(days=due_day)
        return
    step = {"monthly": 1, "quarterly": 3, "annual": 12}.get(frequency, 3)
    month = date(start.year, 1 if step == 12 else ((start.month - 1) // step) * step + 1, 1)
    while True:
        nxt = _add_months(month, step)
        p_end = nxt - timedelta(days=1)
        if p_end > end:
            return
        if month >= start:
            yield month, p_end, nxt.replace(day=min(due_day, 28))
        month = nxt


def _add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    return date(day.year + m // 12, m % 12 + 1, 1)


def compile_checks(world: World, out: Callable[[str], None]) -> None:
    """The last two quarters' disclosure checks, by the portal's own job (when it exists)."""
    from cadres.roles import SYSTEM  # not at the top: `python -m bench.generate` sets Django up first

    try:
        from supervision.services.disclosures import disclosure_check_run
    except ImportError:
        out("  disclosure checks: the service is not available; none compiled")
        return
    end = world.end
    year, quarter = end.year, (end.month - 1) // 3 + 1
    for _ in range(2):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        disclosure_check_run(year=year, quarter=quarter, today=end + timedelta(days=1), actor=SYSTEM)
    out("  disclosure checks of the last two quarters compiled")


def finish(loader: Loader, out: Callable[[str], None]) -> None:
    """Sequences after explicit ids; statistics and the visibility map as in a database in use."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    from cadres.actor_cache import forget_all_actors

    models = list(apps.get_models(include_auto_created=True))
    with connection.cursor() as c:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            c.execute(sql)
    forget_all_actors()  # COPY sends no signals; a previous data set's log-ins may be cached
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        started = time.monotonic()
        with connection.cursor() as c:
            c.execute("VACUUM (ANALYZE)")
        out(f"  VACUUM ANALYZE: {time.monotonic() - started:.0f} s")


def generate(*, scale: Scale, seed: int = 1, end: date, out: Callable[[str], None] = print) -> World:
    """Load the data set into the (migrated, empty) default database; returns what was made."""
    from django.db import connection, transaction

    _empty_or_refuse()
    started = time.monotonic()
    loader = Loader(now=_at(end, 20), out=out)
    world = World(scale=scale, seed=seed, end=end)
    rng = Streams(seed)
    writers = scale.townships * scale.cadres_per_township
    first = _span_start(scale, end, writers)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SET LOCAL synchronous_commit = off")
        _calendar(loader, first - timedelta(days=60), end)
        world.workdays = _workdays(first, end)
        # The first diary day is known only after drawing; people and links use a start a month
        # before the earliest possible one, which is the same for the same scale and end.
        world.start = first
        build_people(world, loader, rng)
        out(f"  people and households: {time.monotonic() - started:.0f} s")
        build_diaries(world, loader, rng, out)
        build_duties(world, loader, rng)
        out(f"  duties: {time.monotonic() - started:.0f} s")
    compile_checks(world, out)
    finish(loader, out)
    out(f"generated {scale.name} (seed {seed}, {world.start} … {end}) in {time.monotonic() - started:.0f} s")
    return world


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "100k"), choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")))
    parser.add_argument("--end", type=d, default=None, help="last day with diaries (default: yesterday)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.utils import timezone

    end = args.end or timezone.localdate() - timedelta(days=1)
    generate(scale=SCALES[args.scale], seed=args.seed, end=end, out=lambda s: print(s, flush=True))


if __name__ == "__main__":
    main(sys.argv[1:])
