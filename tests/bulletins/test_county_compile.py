"""bulletin_compile_county (the monthly job, a county-wide compile): the same drafts as compiling
each township on its own, written together; a published township is left alone and named."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletins.models import Bulletin
from bulletins.services import (
    bulletin_approve,
    bulletin_compile,
    bulletin_compile_county,
    bulletin_publish,
    bulletin_update,
)
from bulletins.tasks import compile_bulletin_task
from cadres.models import Township
from cadres.roles import SYSTEM, actor_for
from core.errors import NotAllowed
from core.models import JobRun
from tests import factories as f
from tests.helpers import queries_of

from .conftest import END, START, diary

KEYS = ("figures", "problems", "narrative", "status", "editor_unit_id", "distribution_report", "year")


def snapshot(bulletin: Bulletin) -> dict:  # type: ignore[type-arg]
    row = {key: getattr(bulletin, key) for key in KEYS}
    row["model_figures"] = sorted(bulletin.model_figures.values_list("pk", flat=True))
    row["versions"] = [(v.history_type, sorted(link.modelfigure_id for link in v.model_figures.all()))
                       for v in bulletin.history.order_by("history_id")]
    return row


def test_the_county_compile_writes_what_each_townships_compile_writes(october):
    w = october.world
    # given the same month compiled township by township …
    one_by_one = {t.pk: snapshot(bulletin_compile(township=t, start=START, end=END,
        actor=SYSTEM)) for t in Township.objects.all()}
    Bulletin.objects.all().delete()
    # … and then for the county at once
    result = bulletin_compile_county(start=START, end=END, actor=SYSTEM)
    # then every township's draft is the same, down to its single history version and its links
    together = {b.township_id: snapshot(Bulletin.objects.get(pk=b.pk)) for b in result.bulletins}
    assert together == one_by_one
    assert together[w.township.pk]["model_figures"] == [october.figure.pk]
    assert together[w.township.pk]["versions"] == [("+", [october.figure.pk])]
    assert result.refused == {}


def test_a_published_township_is_left_alone_and_named_the_others_compile(october):
    w = october.world
    published = bulletin_publish(bulletin=bulletin_approve(
        bulletin=bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM), actor=actor_for(w.secretary.user)),
        actor=actor_for(w.office.user), today=dt.date(2026, 11, 3))
    diary(w.cadre2, dt.date(2026, 10, 14), w.v2)  # a new diary: a recompile would change the figures

    result = bulletin_compile_county(start=START, end=END, actor=SYSTEM)

    assert [b.township_id for b in result.bulletins] == [w.other_township.pk]
    assert list(result.refused) == [w.township.pk] and "内容已冻结" in result.refused[w.township.pk]
    frozen = Bulletin.objects.get(pk=published.pk)
    assert (frozen.figures, frozen.compiled_at) == (published.figures, published.compiled_at)


def test_recompiling_keeps_the_editors_choices_and_sends_a_changed_approved_draft_back(october):
    w = october.world
    first = bulletin_compile_county(start=START, end=END, actor=SYSTEM).bulletins
    ours = next(b for b in first if b.township_id == w.township.pk)
    bulletin_update(bulletin=ours, actor=actor_for(w.office.user), changes={"narrative": "编辑改写的综述"}, model_figures=[])
    bulletin_approve(bulletin=ours, actor=actor_for(w.secretary.user))
    diary(w.cadre2, dt.date(2026, 10, 14), w.v2)

    again = bulletin_compile_county(start=START, end=END, actor=SYSTEM).bulletins

    assert sorted(b.pk for b in again) == sorted(b.pk for b in first)  # the same drafts, refreshed
    ours = Bulletin.objects.get(pk=ours.pk)
    assert ours.status == Bulletin.Status.DRAFT and ours.approved_by is None
    assert ours.narrative == "编辑改写的综述" and list(ours.model_figures.all()) == []
    assert ours.figures["diaries"]["written"] == 5


def test_someone_who_may_not_compile_every_township_compiles_none(october):
    w = october.world
    with pytest.raises(NotAllowed):
        bulletin_compile_county(start=START, end=END, actor=actor_for(w.office.user))  # 东河镇's office, not the county's
    assert not Bulletin.objects.exists()


def test_the_statements_do_not_grow_with_the_townships(october):
    def count() -> int:
        Bulletin.objects.all().delete()
        _bulletin, queries = queries_of(lambda: bulletin_compile_county(start=START, end=END, actor=SYSTEM))
        return len(queries)

    two = count()
    for n in range(3):
        township = f.TownshipFactory(name=f"新镇{n}", code=f"T9{n}")
        f.UnitFactory(township=township, kind="office", name="党政办")
    assert count() == two


def test_the_county_compile_job_says_which_townships_were_left_alone(october):
    w = october.world
    bulletin_publish(bulletin=bulletin_approve(
        bulletin=bulletin_compile(township=w.township, start=START, end=END, actor=SYSTEM), actor=actor_for(w.secretary.user)),
        actor=actor_for(w.office.user), today=dt.date(2026, 11, 3))
    county_office = f.UserFactory(username="county_office", groups=["office"])
    f.MembershipFactory(user=county_office, township=None)  # the county's office: every township
    job = JobRun.objects.create(name="bulletins.compile", started_by=county_office)

    ids = compile_bulletin_task.delay("2026-10-01", "2026-10-31", job_id=job.pk, user_id=county_office.pk).get()

    job.refresh_from_db()
    assert len(ids) == 1 and job.status == "succeeded"
    assert job.message == f"已汇总1期简报草稿。{w.township.name}本期简报已发布，未重新汇总。"
