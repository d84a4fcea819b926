"""Seeding the demo townships: places, people, assignments, households and contact households."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cadres.actor_cache import forget_all_actors
from cadres.demo.data import (
    COUNTY,
    EXTRA_TOWNSHIPS,
    GROUP_NUMERALS,
    LEADERS,
    MAIN_CODE,
    MAIN_NAME,
    MAIN_VILLAGES,
    TRAININGS,
    UNIT_LEADERS,
    UNITS,
    VILLAGE_POSTS,
)
from cadres.demo.logins import seed_logins
from cadres.demo.people import (
    NamePool,
    make_cadre,
    seed_absences,
    seed_households,
    seed_model_figures,
    seed_trainings,
    village_names,
)
from cadres.models import (
    Cadre,
    HouseholdContact,
    HouseholdTag,
    Post,
    School,
    Township,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)
from cadres.services.pyramid import PyramidIndex
from core.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    tags = {t.slug: t for t in HouseholdTag.objects.all()}
    main = _seed_township(ctx, code=MAIN_CODE, name=MAIN_NAME, villages=MAIN_VILLAGES, units=UNITS, leaders=LEADERS,
                          rng=ctx.rng_for("cadres"), tags=tags, main=True)
    townships = [main]
    if ctx.scale == "county":
        for i, name in enumerate(EXTRA_TOWNSHIPS, start=2):
            rng = ctx.rng_for(f"cadres:{name}")
            townships.append(
                _seed_township(ctx, code=f"620521{100 + i}", name=name, villages=village_names(rng, 16),
                               units=UNITS[:6], leaders=LEADERS[:7] + LEADERS[8:], rng=rng, tags=tags, main=False)
            )
    ctx.townships = townships
    ctx.main_township = main
    with transaction.atomic():
        users = seed_logins(ctx, main)
    ctx.extra["users"] = users
    ctx.extra["cadres"] = {name: user.cadre for name, user in users.items() if hasattr(user, "cadre")}
    ctx.extra["units"] = {u.name: u for u in Unit.objects.filter(township=main)}
    ctx.extra["villages"] = {v.name: v for v in Village.objects.filter(township=main)}


# --- one township -------------------------------------------------------------------------------------------


@transaction.atomic
def _seed_township(ctx: DemoContext, *, code: str, name: str, villages: list[str], units: Sequence[tuple[str, str]],
                   leaders: Sequence[str], rng: random.Random, tags: dict[str, HouseholdTag], main: bool) -> Township:
    """One township and everything in it. The steps draw from `rng` in a fixed order, so the same
    seed gives the same people and households."""
    existing = Township.objects.filter(code=code).first()
    if existing is not None:
        return existing
    today = ctx.today
    start = date(today.year - 1, 3, 1)
    names = NamePool(rng)
    township = Township.objects.create(name=name, code=code, county=COUNTY)
    village_rows, groups_of, unit_rows = _places(township, code=code, name=name, villages=villages, units=units,
                                                 rng=rng)
    people = _people(township, names, rng, leaders=leaders, unit_rows=unit_rows, village_rows=village_rows)
    leader_rows, staff_of, heads, village_cadres = people.leaders, people.staff_of, people.heads, people.village_cadres

    # Every village has one leading cadre (a leader) and a 包村干部; some also a 驻村干部.
    all_staff = [c for unit in unit_rows for c in staff_of[unit.pk]]
    agri = staff_of[unit_rows[1].pk]
    special = {0: agri[0], 2: agri[0], 1: agri[1], 3: agri[1]} if main else {}  # cadre1, cadre2
    assigned_to, led_by = _assignments(village_rows, leader_rows, all_staff, special, start=start, main=main)

    households, poor_of, farmers_of = seed_households(township, village_rows, groups_of, rng, tags, main=main)
    contacts = _contacts(rng, start=start, main=main, village_rows=village_rows, leader_rows=leader_rows, heads=heads,
                         all_staff=all_staff, agri=agri, led_by=led_by, assigned_to=assigned_to, poor_of=poor_of,
                         farmers_of=farmers_of)

    seed_trainings(township, village_rows, people.cadres, rng, today, count=len(TRAININGS) if main else 3)
    seed_model_figures(township, village_rows, all_staff, village_cadres, rng, today, main=main)
    seed_absences(all_staff + heads, rng, today, count=6 if main else 2, first=agri[0] if main else None)

    if main:
        ctx.extra["_new_logins"] = {
            "secretary": leader_rows[0], "inspector": leader_rows[-1], "office": staff_of[unit_rows[0].pk][0],
            "cadre1": agri[0], "cadre2": agri[1], "village1": village_cadres[village_rows[0].pk][0],
            "unithead": heads[1],  # the head of cadre1's and cadre2's unit
        }
    ctx.out(f"    {name}: {len(village_rows)} 村, {len(people.cadres)} 名干部, {len(households)} 户, "
            f"{len(contacts)} 户联系户")
    return township


def _places(township: Township, *, code: str, name: str, villages: list[str], units: Sequence[tuple[str, str]],
            rng: random.Random) -> tuple[list[Village], dict[int, list[VillageGroup]], list[Unit]]:
    """The township's villages with their groups (村民小组), its units and its schools."""
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
    return village_rows, groups_of, unit_rows


@dataclass
class _People:
    cadres: list[Cadre]
    leaders: list[Cadre]
    staff_of: dict[int, list[Cadre]]  # unit → its staff
    heads: list[Cadre]  # in the order of the units
    village_cadres: dict[int, list[Cadre]]  # village → its village cadres


def _people(township: Township, names: NamePool, rng: random.Random, *, leaders: Sequence[str],
            unit_rows: list[Unit], village_rows: list[Village]) -> _People:
    """Leaders, then each unit's head and staff, then three cadres per village; with their units'
    heads and leaders in charge and whom each reports to."""
    cadres: list[Cadre] = []
    leader_rows = [make_cadre(township, names, rng, post=post) for post in leaders]
    cadres += leader_rows
    staff_of: dict[int, list[Cadre]] = {}
    heads: list[Cadre] = []
    for index, unit in enumerate(unit_rows):
        head = make_cadre(township, names, rng, post=Post.UNIT_HEAD, unit=unit)
        staff = [make_cadre(township, names, rng, post=Post.STAFF, unit=unit) for _ in range(6 if index == 0 else 5)]
        heads.append(head)
        staff_of[unit.pk] = staff
        cadres += [head, *staff]
    village_cadres = {
        v.pk: [make_cadre(township, names, rng, post=post, village=v) for post in VILLAGE_POSTS] for v in village_rows
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
    return _People(cadres, leader_rows, staff_of, heads, village_cadres)


def _assignments(village_rows: list[Village], leader_rows: list[Cadre], all_staff: list[Cadre],
                 special: dict[int, Cadre], *, start: date, main: bool
                 ) -> tuple[dict[int, list[Village]], dict[int, list[Village]]]:
    """Each village's leading cadre, 包村干部 and sometimes 驻村干部; returns (villages each cadre is
    assigned to, villages each leader leads)."""
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
    return assigned_to, led_by


def _contacts(rng: random.Random, *, start: date, main: bool, village_rows: list[Village], leader_rows: list[Cadre],
              heads: list[Cadre], all_staff: list[Cadre], agri: list[Cadre], led_by: dict[int, list[Village]],
              assigned_to: dict[int, list[Village]], poor_of: dict[int, list[int]],
              farmers_of: dict[int, list[int]]) -> list[HouseholdContact]:
    """Contact households: leaders 1 poor party member + 10 farmers in the villages they lead;
    unit heads 1 + 5 and staff 5 in their villages. A few fall short, as in real life."""
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
    return contacts
