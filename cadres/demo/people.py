"""The demo's people and their records: names, households, trainings, model figures, absences."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from cadres.demo.data import GIVEN, SURNAMES, TRAININGS, VILLAGE_ENDS, VILLAGE_STEMS
from cadres.models import (
    Cadre,
    ExcusedAbsence,
    Household,
    HouseholdTag,
    ModelFigure,
    Post,
    Township,
    Training,
    TrainingAttendance,
    Unit,
    Village,
    VillageGroup,
)


class NamePool:
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


def make_cadre(township: Township, names: NamePool, rng: random.Random, *, post: str, unit: Unit | None = None,
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


def village_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_ENDS)
        if name not in names:
            names.append(name)
    names[-1] = names[-1][:-1] + "社区" if names[-1].endswith("村") else names[-1]
    return names


def seed_households(township: Township, villages: list[Village], groups_of: dict[int, list[VillageGroup]],
                rng: random.Random, tags: dict[str, HouseholdTag], *, main: bool
                ) -> tuple[list[Household], dict[int, list[int]], dict[int, list[int]]]:
    names = NamePool(rng)
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


def seed_trainings(township: Township, villages: list[Village], cadres: list[Cadre], rng: random.Random, today: date,
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


def seed_model_figures(township: Township, villages: list[Village], staff: list[Cadre],
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


def seed_absences(cadres: list[Cadre], rng: random.Random, today: date, *, count: int, first: Cadre | None) -> None:
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
