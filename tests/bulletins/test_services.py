"""Compile, edit, approve and publish: the one write path and its rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletins.models import Bulletin
from bulletins.services import (
    DEFAULT_DISTRIBUTION,
    bulletin_approve,
    bulletin_compile,
    bulletin_publish,
    bulletin_update,
    previous_month_of,
)
from cadres.models import ModelFigure
from cadres.roles import SYSTEM, actor_for
from core.errors import DomainError, NotAllowed, StateError
from core.models import Notification
from supervision.models import Matter

from .conftest import END, START, diary, matter


def compile_october(o, actor=SYSTEM) -> Bulletin:  # type: ignore[no-untyped-def]
    return bulletin_compile(township=o.world.township, start=START, end=END, actor=actor)


def published_october(o) -> Bulletin:  # type: ignore[no-untyped-def]
    w = o.world
    bulletin = compile_october(o)
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))
    return bulletin_publish(bulletin=bulletin, actor=actor_for(w.office.user), today=dt.date(2026, 11, 3))


def test_compile_creates_a_draft_with_figures_narrative_model_figures_and_defaults(october):
    bulletin = compile_october(october)

    assert bulletin.status == Bulletin.Status.DRAFT
    assert (bulletin.year, bulletin.number, bulletin.cumulative_number) == (2026, None, None)
    assert bulletin.figures["diaries"]["written"] == 4
    assert bulletin.editor_unit == october.world.office_unit
    assert bulletin.distribution_report == DEFAULT_DISTRIBUTION["distribution_report"]
    assert "实写4篇" in bulletin.narrative
    assert list(bulletin.model_figures.all()) == [october.figure]
    assert bulletin.compiled_at is not None


def test_the_first_compile_is_one_version_in_the_history_with_its_model_figures(october):
    w = october.world
    bulletin = bulletin_compile(township=w.township, start=START, end=END, actor=actor_for(w.office.user))
    versions = list(bulletin.history.all())
    # then one "+" version, by the office, that already lists the model figure
    assert [(v.history_type, v.history_user) for v in versions] == [("+", w.office.user)]
    assert [link.modelfigure_id for link in versions[0].model_figures.all()] == [october.figure.pk]
    # and compiling again adds a "~" version, as any change does
    compile_october(october, actor=actor_for(w.office.user))
    assert [v.history_type for v in bulletin.history.order_by("history_id")] == ["+", "~"]


def test_compiling_the_same_period_twice_updates_the_one_draft(october):
    first = compile_october(october)
    w = october.world
    diary(w.cadre2, dt.date(2026, 10, 14), w.v2)

    second = compile_october(october)

    assert Bulletin.objects.count() == 1
    assert second.pk == first.pk
    assert second.figures["diaries"]["written"] == 5
    assert "实写5篇" in second.narrative


def test_recompile_keeps_the_editors_narrative_and_model_figure_choice(october):
    w = october.world
    bulletin = compile_october(october)
    bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"narrative": "编辑改写的工作动态。"},
                    model_figures=[])

    again = compile_october(october)

    assert again.narrative == "编辑改写的工作动态。"
    assert list(again.model_figures.all()) == []


def test_recompile_of_an_approved_bulletin_with_new_figures_needs_a_new_approval(october):
    w = october.world
    bulletin = compile_october(october)
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))

    unchanged = compile_october(october)
    assert unchanged.status == Bulletin.Status.APPROVED

    matter(w, created=dt.date(2026, 10, 20), status="registered", deadline=None)
    changed = compile_october(october)
    assert changed.status == Bulletin.Status.DRAFT
    assert changed.approved_by is None


def test_compiling_a_published_period_is_refused_and_changes_nothing(october):
    bulletin = published_october(october)
    before = Bulletin.objects.get(pk=bulletin.pk)

    with pytest.raises(StateError, match=r"发布.*不能重新汇总"):
        compile_october(october)

    after = Bulletin.objects.get(pk=bulletin.pk)
    assert (after.figures, after.compiled_at, after.status) == (before.figures, before.compiled_at, before.status)


def test_published_figures_do_not_change_when_the_data_changes(october):
    bulletin = published_october(october)
    frozen = dict(bulletin.figures)
    w = october.world
    diary(w.cadre2, dt.date(2026, 10, 14), w.v2)
    Matter.objects.filter(pk=october.m1.pk).update(status="closed")
    ModelFigure.objects.filter(pk=october.figure.pk).update(title="改过的标题", story="改过的事迹")

    bulletin.refresh_from_db()

    assert bulletin.figures == frozen
    assert bulletin.typical[0]["title"] == "扎根一线解民忧"
    assert bulletin.typical[0]["story"] == "每天入户走访，两周内修好水渠。"


@pytest.mark.parametrize("start, end, message", [
    (dt.date(2026, 10, 31), dt.date(2026, 10, 1), "结束日期不能早于开始日期"),
    (dt.date(2025, 1, 1), dt.date(2026, 1, 5), "最长一年"),
    (dt.date(2099, 1, 1), dt.date(2099, 1, 31), "不能晚于今天"),
])
def test_bad_periods_are_refused_and_nothing_is_stored(world, start, end, message):
    with pytest.raises(DomainError, match=message):
        bulletin_compile(township=world.township, start=start, end=end, actor=SYSTEM)
    assert Bulletin.objects.count() == 0


def test_only_the_office_may_compile_when_a_person_asks(october):
    w = october.world
    for user in (w.cadre1.user, w.secretary.user, w.outsider.user, w.reporter_user):
        with pytest.raises(NotAllowed):
            compile_october(october, actor=actor_for(user))
    assert Bulletin.objects.count() == 0
    assert compile_october(october, actor=actor_for(w.office.user)).pk


def test_edit_approve_publish_path_with_history(october):
    w = october.world
    bulletin = compile_october(october)
    bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user),
                    changes={"editor_note": "按语一", "outlook": "一是……\n二是……"})
    bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"editor_note": "按语二"})

    approved = bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))
    assert approved.status == Bulletin.Status.APPROVED
    assert approved.signer == "书记"

    published = bulletin_publish(bulletin=approved, actor=actor_for(w.office.user), today=dt.date(2026, 11, 3))
    assert (published.status, published.number, published.cumulative_number) == ("published", 1, 1)
    assert published.issue_date == dt.date(2026, 11, 3)
    notes = [h.editor_note for h in published.history.order_by("history_date", "history_id")]
    assert "按语一" in notes and notes[-1] == "按语二"
    assert published.history.filter(history_user=w.office.user).exists()


def test_published_bulletin_refuses_every_edit(october):
    w = october.world
    bulletin = published_october(october)

    with pytest.raises(StateError, match="已发布"):
        bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"editor_note": "改"})
    with pytest.raises(StateError):
        bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))
    with pytest.raises(StateError, match="已经发布"):
        bulletin_publish(bulletin=bulletin, actor=actor_for(w.office.user))
    bulletin.refresh_from_db()
    assert (bulletin.editor_note, bulletin.number) == ("", 1)


def test_editing_an_approved_bulletin_sends_it_back_to_draft(october):
    w = october.world
    bulletin = compile_october(october)
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))

    edited = bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"outlook": "新打算"})

    assert edited.status == Bulletin.Status.DRAFT
    assert edited.approved_at is None


def test_illegal_transitions_are_refused_with_a_reason(october):
    w = october.world
    bulletin = compile_october(october)

    with pytest.raises(StateError, match="须经镇领导审核"):
        bulletin_publish(bulletin=bulletin, actor=actor_for(w.office.user))
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))
    with pytest.raises(StateError, match="已经审核"):
        bulletin_approve(bulletin=bulletin, actor=actor_for(w.head.user))


@pytest.mark.parametrize("who", ["office", "cadre1", "inspector", "unit_head", "outsider"])
def test_only_a_leader_of_the_township_approves(october, who):
    w = october.world
    bulletin = compile_october(october)

    with pytest.raises(NotAllowed, match="镇领导"):
        bulletin_approve(bulletin=bulletin, actor=actor_for(w.users[who]))
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT


@pytest.mark.parametrize("who", ["cadre1", "inspector", "reporter", "outsider", "village1"])
def test_only_office_or_leaders_publish(october, who):
    w = october.world
    bulletin = compile_october(october)
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))

    with pytest.raises(NotAllowed):
        bulletin_publish(bulletin=bulletin, actor=actor_for(w.users[who]))
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.number) == ("approved", None)


@pytest.mark.parametrize("who", ["cadre1", "secretary", "inspector", "outsider"])
def test_only_the_office_edits(october, who):
    w = october.world
    bulletin = compile_october(october)

    with pytest.raises(NotAllowed):
        bulletin_update(bulletin=bulletin, actor=actor_for(w.users[who]), changes={"editor_note": "越权"})
    bulletin.refresh_from_db()
    assert bulletin.editor_note == ""


def test_edit_validates_lengths_fields_and_township_of_model_figures(october):
    w = october.world
    bulletin = compile_october(october)
    foreign = ModelFigure.objects.create(township=w.other_township, title="外镇典型", story="…",
                                         period_start=START, period_end=END)

    with pytest.raises(DomainError, match="最多5000字"):
        bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"editor_note": "长" * 5001})
    with pytest.raises(DomainError, match="不能修改"):
        bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={"figures": {}})
    with pytest.raises(DomainError, match="本镇的典型"):
        bulletin_update(bulletin=bulletin, actor=actor_for(w.office.user), changes={}, model_figures=[foreign])
    bulletin.refresh_from_db()
    assert bulletin.editor_note == ""
    assert list(bulletin.model_figures.all()) == [october.figure]


def test_numbers_run_per_year_and_cumulative_across_years(world):
    w = world

    def publish(start: dt.date, end: dt.date) -> Bulletin:
        b = bulletin_compile(township=w.township, start=start, end=end, actor=SYSTEM)
        bulletin_approve(bulletin=b, actor=actor_for(w.secretary.user))
        return bulletin_publish(bulletin=b, actor=actor_for(w.office.user))

    dec = publish(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    jan = publish(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    feb = publish(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    root = _superuser()
    other = bulletin_compile(township=w.other_township, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), actor=SYSTEM)
    bulletin_approve(bulletin=other, actor=actor_for(root))
    other = bulletin_publish(bulletin=other, actor=actor_for(root))

    assert [(b.year, b.number, b.cumulative_number) for b in (dec, jan, feb)] == [
        (2025, 1, 1), (2026, 1, 2), (2026, 2, 3)]
    assert (other.number, other.cumulative_number) == (1, 1)


def _superuser():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", password="Root-password-2026")


def test_publication_notifies_the_townships_cadres_once(october, django_capture_on_commit_callbacks):
    w = october.world
    bulletin = compile_october(october)
    bulletin_approve(bulletin=bulletin, actor=actor_for(w.secretary.user))

    with django_capture_on_commit_callbacks(execute=True):
        bulletin_publish(bulletin=bulletin, actor=actor_for(w.office.user))
    from bulletins.tasks import notify_published_task

    notify_published_task.delay(bulletin.pk)  # a retried task notifies nobody twice

    notes = Notification.objects.filter(kind="bulletin_published")
    township_cadres = {"secretary", "head", "deputy", "inspector", "office", "unithead", "cadre1", "cadre2",
                       "cadre3", "village1"}
    assert {n.recipient.username for n in notes} == township_cadres
    assert notes.count() == len(township_cadres)
    assert notes.first().title == "《作风建设简报》2026年第1期（总第1期）已发布"
    assert notes.first().url == f"/bulletins/{bulletin.pk}/"


def test_previous_month():
    assert previous_month_of(dt.date(2026, 11, 1)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert previous_month_of(dt.date(2027, 1, 15)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert previous_month_of(dt.date(2028, 3, 1)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
