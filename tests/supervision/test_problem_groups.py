"""一类事: grouping the period's problems — the issue's example, determinism, the rules of a group,
reruns that keep an adopted group's agenda item, the command and the daily job."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cadres.roles import actor_for
from core.errors import DomainError
from supervision.models import ProblemGroup
from supervision.services.agenda import group_adopt
from supervision.services.problem_groups import Text, cluster, problem_groups_refresh, problem_items, trend_for
from tests import factories as f

PUMP_1 = "机井水泵损坏，春灌用水困难"
PUMP_2 = "村里机井的水泵坏了多日，群众春灌用水困难"
LAMPS = "村道路灯不亮，夜间出行不便"
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _text(i: int, village: int, text: str, category: str = "infrastructure", day: int = 2) -> Text:
    return Text("d", i, village, category, dt.date(2026, 3, day), text)


# --- the pure grouping (no database) ------------------------------------------------------------


def test_the_issues_two_pump_diaries_form_one_group_and_the_street_lamps_stay_out():
    groups = cluster([_text(1, 10, PUMP_1), _text(2, 11, PUMP_2, day=5), _text(3, 12, LAMPS, day=6)])

    assert len(groups) == 1
    assert groups[0].keys() == {("d", 1), ("d", 2)}
    assert groups[0].village_ids == [10, 11]
    assert {"机井", "水泵", "春灌"} <= set(groups[0].keywords)
    assert groups[0].first_seen == dt.date(2026, 3, 2)
    assert groups[0].last_seen == dt.date(2026, 3, 5)


def test_grouping_is_the_same_whatever_order_the_texts_come_in():
    texts = [_text(1, 10, PUMP_1), _text(2, 11, PUMP_2), _text(3, 12, LAMPS), _text(4, 13, "夜间村道路灯不亮"),
             _text(5, 14, "独居老人冬季取暖存在困难", "livelihood"), _text(6, 15, "冬季独居老人取暖困难", "livelihood")]
    expected = [(c.keys(), c.keywords, c.label) for c in cluster(texts)]
    for seed in range(5):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert [(c.keys(), c.keywords, c.label) for c in cluster(shuffled)] == expected
    assert len(expected) == 3


def test_the_same_problem_in_one_village_only_is_not_a_group():
    assert cluster([_text(1, 10, PUMP_1), _text(2, 10, PUMP_2)]) == []


def test_different_categories_are_not_grouped_but_other_joins_any():
    assert cluster([_text(1, 10, PUMP_1, "infrastructure"), _text(2, 11, PUMP_2, "livelihood")]) == []
    groups = cluster([_text(1, 10, PUMP_1, "infrastructure"), _text(2, 11, PUMP_2, "other")])
    assert len(groups) == 1 and groups[0].category == "infrastructure"


TWO_PROBLEMS = "1.机井水泵损坏，春灌用水困难；2.村道路灯不亮，夜间出行不便"


@pytest.mark.parametrize(("text", "items"), [
    (TWO_PROBLEMS, [PUMP_1, LAMPS]),
    ("（一）机井水泵损坏，春灌用水困难。（二）村道路灯不亮，夜间出行不便。", [PUMP_1, LAMPS]),
    (f"{PUMP_1}。{LAMPS}！", [PUMP_1, LAMPS]),
    (f"{PUMP_1}\n{LAMPS}", [PUMP_1, LAMPS]),
    # one problem: commas never split, nor a decimal or a number inside a sentence
    (PUMP_2, [PUMP_2]),
    ("种植3.5亩日光温室，共3户缺水浇地困难", ["种植3.5亩日光温室，共3户缺水浇地困难"]),
    # a short piece is no problem of its own: it stays with its neighbour
    (f"{PUMP_2}。已上报。", [f"{PUMP_2}，已上报"]),
    (f"已上报。{PUMP_1}", [f"已上报，{PUMP_1}"]),
    ("", []),
])
def test_a_text_is_split_into_the_problems_it_lists_and_never_into_fragments(text, items):
    assert problem_items(text) == items


def test_a_diary_with_two_problems_joins_two_groups_each_with_another_villages_diary():
    groups = cluster([_text(1, 10, TWO_PROBLEMS), _text(2, 11, PUMP_2), _text(3, 12, "夜间村道路灯不亮，出行不便")])

    assert sorted(sorted(g.keys()) for g in groups) == [[("d", 1), ("d", 2)], [("d", 1), ("d", 3)]]
    pumps, lamps = sorted(groups, key=lambda g: sorted(g.keys()))
    assert {"机井", "水泵"} <= set(pumps.keywords) and "夜间" not in pumps.keywords
    assert "夜间" in lamps.keywords and "水泵" not in lamps.keywords
    # a diary is a member of a group once, even when two of its problems join it
    twice = cluster([_text(1, 10, f"{PUMP_1}。{PUMP_2}"), _text(2, 11, PUMP_2)])
    assert len(twice) == 1 and [t.key for t in twice[0].members] == [("d", 1), ("d", 2)]


def test_the_trend_compares_with_the_previous_period():
    assert trend_for(3, 0) == ProblemGroup.Trend.NEW
    assert trend_for(6, 3) == ProblemGroup.Trend.UP
    assert trend_for(3, 3) == ProblemGroup.Trend.FLAT
    assert trend_for(1, 3) == ProblemGroup.Trend.DOWN


# --- the period in the database -----------------------------------------------------------------


@pytest.fixture
def march(world):
    w = world
    w.d1 = f.DiaryFactory(author=w.cadre1, village=w.v1, date=dt.date(2026, 3, 2), category="infrastructure",
                          problems=PUMP_1)
    w.d2 = f.DiaryFactory(author=w.cadre2, village=w.v2, date=dt.date(2026, 3, 5), category="infrastructure",
                          problems=PUMP_2)
    w.d3 = f.DiaryFactory(author=w.cadre3, village=w.v3, date=dt.date(2026, 3, 6), category="infrastructure",
                          problems=LAMPS)
    w.m1 = f.MatterFactory(village=w.v3, raised_by=w.cadre3, category="infrastructure",
                           description="南沟村机井水泵损坏，春灌用水困难，请尽快维修",
                           created_at=timezone.make_aware(dt.datetime(2026, 3, 9, 10)))
    f.DiaryFactory(author=w.outsider, village=w.v_other, date=dt.date(2026, 3, 3), category="infrastructure",
                   problems=PUMP_1)
    return w


@pytest.mark.django_db
def test_refresh_groups_the_pump_problems_of_three_villages_with_the_matter(march):
    summary = problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)

    group = ProblemGroup.objects.get(township=march.township)
    assert summary.groups == 1
    assert set(group.diaries.values_list("pk", flat=True)) == {march.d1.pk, march.d2.pk}
    assert list(group.matters.values_list("pk", flat=True)) == [march.m1.pk]
    assert set(group.villages.values_list("pk", flat=True)) == {march.v1.pk, march.v2.pk, march.v3.pk}
    assert (group.village_count, group.diary_count, group.matter_count) == (3, 2, 1)
    assert (group.first_seen, group.last_seen) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9))
    assert group.trend == ProblemGroup.Trend.NEW
    assert not march.d3.problem_groups.exists()


@pytest.mark.django_db
def test_refresh_links_a_diary_with_two_problems_to_two_groups_once_each(march):
    both = f.DiaryFactory(author=march.head, village=march.v3, date=dt.date(2026, 3, 10), category="infrastructure",
                          problems=f"1.机井水泵损坏，春灌浇地困难；2.{LAMPS}")
    lamps = f.DiaryFactory(author=march.cadre1, village=march.v1, date=dt.date(2026, 3, 11),
                           category="infrastructure", problems="夜间村道路灯不亮，出行不便")

    problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)

    groups = {frozenset(g.diaries.values_list("pk", flat=True)): g
              for g in ProblemGroup.objects.filter(township=march.township)}
    assert set(groups) == {frozenset({march.d1.pk, march.d2.pk, both.pk}), frozenset({march.d3.pk, both.pk, lamps.pk})}
    assert sorted(g.diary_count for g in groups.values()) == [3, 3]
    assert both.problem_groups.count() == 2


@pytest.mark.django_db
def test_a_rerun_replaces_the_periods_groups_and_keeps_the_adopted_groups_agenda_item(march):
    problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)
    first = ProblemGroup.objects.get(township=march.township)
    item = group_adopt(actor=actor_for(march.secretary.user), group=first)
    f.DiaryFactory(author=march.head, village=march.v2, date=dt.date(2026, 3, 12), category="infrastructure",
                   problems="机井水泵坏了，春灌浇地困难")

    problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)

    again = ProblemGroup.objects.get(township=march.township)
    assert again.pk != first.pk
    assert again.agenda_item_id == item.pk
    assert again.diary_count == 3


@pytest.mark.django_db
def test_groups_of_other_periods_and_townships_are_left_alone(march):
    other = ProblemGroup.objects.create(township=march.other_township, period_start=MARCH[0], period_end=MARCH[1],
                                        label="x", first_seen=MARCH[0], last_seen=MARCH[0])
    problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)
    problem_groups_refresh(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30), township_id=march.township.pk)
    assert ProblemGroup.objects.filter(pk=other.pk).exists()
    assert ProblemGroup.objects.filter(township=march.township, period_start=MARCH[0]).count() == 1


@pytest.mark.django_db
def test_the_previous_period_sets_the_trend(march):
    for day, village in ((3, march.v1), (4, march.v2), (5, march.v3)):
        f.DiaryFactory(author=march.head, village=village, date=dt.date(2026, 2, day), category="infrastructure",
                       problems="机井水泵损坏，春灌用水困难")
    problem_groups_refresh(start=MARCH[0], end=MARCH[1], township_id=march.township.pk)
    group = ProblemGroup.objects.get(township=march.township, period_start=MARCH[0])
    assert group.previous_size == 3
    assert group.trend == ProblemGroup.Trend.FLAT


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end", "message"), [
    (dt.date(2026, 3, 31), dt.date(2026, 3, 1), "结束日期不能早于开始日期。"),
    (dt.date(2025, 1, 1), dt.date(2026, 3, 1), "期间不能超过一年。"),
])
def test_a_bad_period_is_refused_and_changes_nothing(march, start, end, message):
    with pytest.raises(DomainError) as caught:
        problem_groups_refresh(start=start, end=end)
    assert caught.value.message == message
    assert not ProblemGroup.objects.exists()


@pytest.mark.django_db
def test_the_command_groups_in_the_foreground_and_refuses_a_bad_date(march, capsys):
    call_command("group_problems", "--start", "2026-03-01", "--end", "2026-03-31", "--township", "620001")
    assert "形成1类" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("group_problems", "--start", "2026-13-01", "--end", "2026-03-31")


@pytest.mark.django_db
def test_the_daily_job_groups_the_month_so_far(march):
    from supervision.tasks import group_problems_daily_task

    group_problems_daily_task("2026-03-20")
    assert ProblemGroup.objects.filter(township=march.township, period_start=MARCH[0], period_end=MARCH[1]).count() == 1


@pytest.mark.django_db
def test_the_daily_job_is_on_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(task="supervision.group_problems_daily").enabled


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_issues_example_lands_in_one_group(march):
    problem_groups_refresh(start=MARCH[0], end=MARCH[1])
    group = ProblemGroup.objects.get(township=march.township)
    assert {march.d1.pk, march.d2.pk} <= set(group.diaries.values_list("pk", flat=True))
    assert march.d3.pk not in set(group.diaries.values_list("pk", flat=True))
