"""Diaries: who writes which day, who reads them, comments, adopted ideas (services and scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cadres.models import CalendarDay, ExcusedAbsence
from cadres.roles import actor_for
from core.errors import NotAllowed, StateError
from core.models import Notification
from supervision.models import AgendaItem, Diary, DiaryComment
from supervision.selectors.diaries import diaries_for, writable_dates
from supervision.services.agenda import agenda_decide, idea_adopt
from supervision.services.diaries import diary_comment, diary_create, diary_update
from tests import factories as f

WED = dt.date(2026, 11, 25)  # a Wednesday; Sat 21, Sun 22, Mon 23, Tue 24


def write(world, who="cadre1", **kwargs):  # type: ignore[no-untyped-def]
    cadre = getattr(world, who)
    values = {"village": world.v1, "situation": "走访了解冬季取暖情况", "today": WED, **kwargs}
    return diary_create(actor=actor_for(cadre.user), **values)


# --- writing ------------------------------------------------------------------------------------


def test_diary_written_on_the_day_is_on_time(world):
    diary = write(world, households=[world.h1], category="livelihood", problems="取暖煤不足", ideas="建议统一采购")
    assert (diary.author, diary.date, diary.on_time, diary.township) == (world.cadre1, WED, True, world.township)
    assert list(diary.households.all()) == [world.h1]


def test_missed_workday_in_the_window_can_be_written_late(world):
    diary = write(world, date=dt.date(2026, 11, 23))
    assert diary.date == dt.date(2026, 11, 23)
    assert diary.on_time is False


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2026, 11, 26), "不能为未来的日期写日记。"),
        (dt.date(2026, 11, 21), "只能补写最近 3 天内漏写的日记。"),
        (dt.date(2026, 11, 22), "2026年11月22日 不是工作日，无需补写。"),
    ],
)
def test_future_old_and_non_workdays_are_refused_and_nothing_stored(world, day, message):
    with pytest.raises(ValidationError) as exc:
        write(world, date=day)
    assert exc.value.message_dict == {"date": [message]}
    assert Diary.objects.count() == 0


def test_backfill_window_follows_the_setting(world, settings):
    settings.PORTAL = {**settings.PORTAL, "DIARY_BACKFILL_DAYS": 1}
    with pytest.raises(ValidationError) as exc:
        write(world, date=dt.date(2026, 11, 23))
    assert exc.value.message_dict == {"date": ["只能补写最近 1 天内漏写的日记。"]}


def test_a_holiday_is_not_writable_but_a_make_up_workday_is(world):
    CalendarDay.objects.create(date=dt.date(2026, 11, 24), is_workday=False, name="假日")
    CalendarDay.objects.create(township=world.township, date=dt.date(2026, 11, 22), is_workday=True, name="调休")
    with pytest.raises(ValidationError):
        write(world, date=dt.date(2026, 11, 24))
    assert write(world, date=dt.date(2026, 11, 22)).on_time is False


def test_one_diary_per_cadre_per_day(world):
    write(world)
    with pytest.raises(ValidationError) as exc:
        write(world)
    assert exc.value.message_dict == {"date": ["2026年11月25日 的日记已经写过，请修改原日记。"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Diary.objects.create(township=world.township, author=world.cadre1, date=WED, village=world.v1, situation="x")
    assert Diary.objects.count() == 1


def test_any_village_of_the_township_may_be_chosen_but_not_another_townships(world):
    assert write(world, village=world.v3).village == world.v3  # unit staff visit other villages too
    with pytest.raises(ValidationError) as exc:
        write(world, village=world.v_other, date=dt.date(2026, 11, 24))
    assert exc.value.message_dict == {"village": ["所选村不属于您所在的乡镇。"]}
    assert Diary.objects.count() == 1


def test_households_must_belong_to_the_chosen_village(world):
    with pytest.raises(ValidationError) as exc:
        write(world, village=world.v1, households=[world.h1, world.h2])
    assert exc.value.message_dict == {"households": [f"以下农户不存在或不属于所选村：{world.h2.pk}。"]}  # by id, no name
    assert Diary.objects.count() == 0


@pytest.mark.parametrize(("field", "limit"), [("situation", 5000), ("problems", 5000), ("ideas", 5000),
                                              ("place", 100), ("people_met", 200)])
def test_text_over_the_limit_is_refused(world, field, limit):
    with pytest.raises(ValidationError) as exc:
        write(world, **{field: "字" * (limit + 1)})
    assert exc.value.message_dict == {field: [f"内容过长：最多 {limit} 字，当前 {limit + 1} 字。"]}
    assert Diary.objects.count() == 0


def test_blank_situation_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        write(world, situation="   ")
    assert exc.value.message_dict == {"situation": ["请填写民情。"]}


def test_reporter_and_office_without_cadre_cannot_write(world):
    with pytest.raises(NotAllowed):
        diary_create(actor=actor_for(world.reporter_user), village=world.v1, situation="x", today=WED)
    assert Diary.objects.count() == 0


def test_writable_dates_offer_today_then_missed_workdays_not_excused(world):
    write(world, date=dt.date(2026, 11, 24))
    assert writable_dates(world.cadre1, today=WED) == [WED, dt.date(2026, 11, 23)]
    ExcusedAbsence.objects.create(cadre=world.cadre1, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 23))
    assert writable_dates(world.cadre1, today=WED) == [WED]


# --- editing ------------------------------------------------------------------------------------


def test_author_edits_the_same_day_and_later_edits_keep_history(world):
    diary = write(world, date=dt.date(2026, 11, 24), today=dt.date(2026, 11, 24))
    actor = actor_for(world.cadre1.user)
    diary_update(actor=actor, diary=diary, village=world.v1, category="policy", situation="当天修改",
                 today=dt.date(2026, 11, 24))
    diary_update(actor=actor, diary=diary, village=world.v1, category="policy", situation="次日补充",
                 today=WED)
    diary.refresh_from_db()
    assert diary.situation == "次日补充"
    history = list(diary.history.order_by("history_id").values_list("situation", "history_change_reason"))
    assert history == [("走访了解冬季取暖情况", None), ("当天修改", None), ("次日补充", "2026-11-25 事后修改")]


def test_only_the_author_may_edit(world):
    diary = write(world)
    for who in ("secretary", "unit_head", "office"):
        with pytest.raises(NotAllowed):
            diary_update(actor=actor_for(world.users[who]), diary=diary, village=world.v1, category="other",
                         situation="改掉", today=WED)
    diary.refresh_from_db()
    assert diary.situation == "走访了解冬季取暖情况"


# --- reading (docs/design.md §3, §4) -------------------------------------------------------------------

READERS_OF_CADRE1 = {"cadre1", "deputy", "unit_head", "secretary", "head", "office", "inspector", "reporter"}


def test_who_reads_a_diary(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1)
    for name, user in world.users.items():
        visible = diaries_for(actor_for(user)).filter(pk=diary.pk).exists()
        assert visible == (name in READERS_OF_CADRE1), name


def test_leading_cadre_of_the_village_reads_diaries_written_there(world):
    diary = f.DiaryFactory(author=world.cadre3, village=world.v1)  # cadre3's unit is not the deputy's
    assert diaries_for(actor_for(world.deputy.user)).filter(pk=diary.pk).exists()
    elsewhere = f.DiaryFactory(author=world.cadre3, village=world.v3, date=WED - dt.timedelta(days=1))
    assert not diaries_for(actor_for(world.deputy.user)).filter(pk=elsewhere.pk).exists()


def test_other_cadres_and_village_cadres_never_read_it(world):
    diary = f.DiaryFactory(author=world.cadre2, village=world.v1)
    for name in ("cadre1", "cadre3", "village1", "outsider"):
        assert not diaries_for(actor_for(world.users[name])).filter(pk=diary.pk).exists(), name


def test_soft_deleted_diaries_are_absent(world):
    from django.utils import timezone

    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, deleted_at=timezone.now())
    assert not diaries_for(actor_for(world.secretary.user)).filter(pk=diary.pk).exists()


# --- comments and ideas -----------------------------------------------------------------------------


def test_leader_comment_notifies_the_author(world, django_capture_on_commit_callbacks):
    diary = write(world)
    with django_capture_on_commit_callbacks(execute=True):
        diary_comment(actor=actor_for(world.secretary.user), diary=diary, text="请持续跟进。")
    note = Notification.objects.get(recipient=world.cadre1.user)
    assert (note.kind, note.title, note.body, note.url) == (
        "diary_commented", "书记 批示了您 11月25日 的民情日记", "请持续跟进。", f"/diaries/{diary.pk}/")


@pytest.mark.parametrize("who", ["cadre1", "unit_head", "office", "inspector", "reporter"])
def test_only_leaders_comment(world, who):
    diary = write(world)
    with pytest.raises(NotAllowed):
        diary_comment(actor=actor_for(world.users[who]), diary=diary, text="批示")
    assert DiaryComment.objects.count() == 0


def test_leader_in_charge_may_comment(world):
    diary = write(world)
    diary_comment(actor=actor_for(world.deputy.user), diary=diary, text="分管领导批示")
    assert DiaryComment.objects.get().author == world.deputy


def test_adopted_idea_becomes_agenda_item_and_decision_tells_the_author(world, django_capture_on_commit_callbacks):
    diary = write(world, ideas="建议统一采购取暖煤\n第二行")
    with django_capture_on_commit_callbacks(execute=True):
        item = idea_adopt(actor=actor_for(world.secretary.user), diary=diary)
    item = adopted_on(item, dt.date(2026, 11, 19))  # the decision below is dated after the adoption
    assert (item.title, item.status, item.adopted_by, item.diary) == (
        "建议统一采购取暖煤", "pending", world.secretary, diary)
    with django_capture_on_commit_callbacks(execute=True):
        agenda_decide(actor=actor_for(world.office.user), item=item, decision="同意，由民政办落实。",
                      meeting_date=dt.date(2026, 11, 20), today=WED)
    item.refresh_from_db()
    assert (item.status, item.decision, item.meeting_date, item.decided_by) == (
        "decided", "同意，由民政办落实。", dt.date(2026, 11, 20), world.office.user)
    decided = Notification.objects.get(recipient=world.cadre1.user, kind="idea_decided")
    assert decided.url == f"/diaries/{diary.pk}/"
    assert diary.agenda_item == item


def test_adopting_twice_or_without_ideas_is_refused(world):
    diary = write(world, ideas="建议")
    idea_adopt(actor=actor_for(world.secretary.user), diary=diary)
    with pytest.raises(StateError, match="已被采纳"):
        idea_adopt(actor=actor_for(world.head.user), diary=diary)
    plain = write(world, date=dt.date(2026, 11, 24))
    with pytest.raises(StateError, match="没有填写新思路"):
        idea_adopt(actor=actor_for(world.secretary.user), diary=plain)
    assert AgendaItem.objects.count() == 1


@pytest.mark.parametrize("who", ["cadre1", "deputy", "unit_head", "office", "inspector"])
def test_only_top_leaders_adopt(world, who):
    diary = write(world, ideas="建议")
    with pytest.raises(NotAllowed):
        idea_adopt(actor=actor_for(world.users[who]), diary=diary)
    assert AgendaItem.objects.count() == 0


def adopted_on(item: AgendaItem, day: dt.date) -> AgendaItem:
    """The adoption moved back to `day` (the tests decide on fixed dates, whatever today is)."""
    AgendaItem.objects.filter(pk=item.pk).update(
        adopted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    item.refresh_from_db()
    return item


def test_decision_is_recorded_once_by_leaders_or_office(world):
    item = idea_adopt(actor=actor_for(world.secretary.user), diary=write(world, ideas="建议"))
    item = adopted_on(item, WED)
    with pytest.raises(NotAllowed):
        agenda_decide(actor=actor_for(world.cadre1.user), item=item, decision="自己批准", today=WED)
    with pytest.raises(ValidationError):
        agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="  ", today=WED)
    agenda_decide(actor=actor_for(world.secretary.user), item=item, decision="同意", today=WED)
    with pytest.raises(StateError):
        agenda_decide(actor=actor_for(world.office.user), item=item, decision="再次", today=WED)
    item.refresh_from_db()
    assert (item.decision, item.decided_by) == ("同意", world.secretary.user)
