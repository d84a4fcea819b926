"""Model figures (典型) proposed from a diary or a matter; the office confirms them."""

from __future__ import annotations

import datetime as dt

import pytest

from cadres.models import ModelFigure
from cadres.roles import actor_for
from cadres.services.figures import model_figure_confirm
from core.errors import NotAllowed
from tests import factories as f
from tests.helpers import page_client


@pytest.fixture
def diary(world):  # type: ignore[no-untyped-def]
    return f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 20),
                          situation="帮助农户建起日光温室")


def test_unit_head_proposes_a_figure_from_a_diary_with_a_prefilled_form(world, diary):
    client = page_client(world.unit_head.user)
    detail = client.get(f"/diaries/{diary.pk}/").content.decode()
    assert f"/figures/propose/diary/{diary.pk}/" in detail
    form = client.get(f"/figures/propose/diary/{diary.pk}/").content.decode()
    assert "帮助农户建起日光温室" in form and "2026-11-01" in form and "2026-11-30" in form
    answer = client.post(f"/figures/propose/diary/{diary.pk}/", {
        "title": "温室带头人", "cadre": world.cadre1.pk, "story": "帮助农户建起日光温室",
        "period_start": "2026-11-01", "period_end": "2026-11-30",
    })
    assert answer.status_code == 302 and answer.url == f"/diaries/{diary.pk}/"
    figure = ModelFigure.objects.get(title="温室带头人")
    assert figure.status == ModelFigure.Status.PROPOSED
    assert figure.cadre == world.cadre1 and figure.village == world.v1 and figure.township == world.township
    assert figure.proposed_by == world.unit_head.user and "民情日记" in figure.source


def test_a_cadre_cannot_propose_and_sees_no_button(world, diary):
    client = page_client(world.cadre1.user)
    assert "/figures/propose/" not in client.get(f"/diaries/{diary.pk}/").content.decode()
    assert client.post(f"/figures/propose/diary/{diary.pk}/", {"title": "x"}).status_code == 404
    assert not ModelFigure.objects.exists()


def test_another_townships_matter_is_a_404(world):
    matter = f.MatterFactory(village=world.v_other)
    assert page_client(world.office.user).get(f"/figures/propose/matter/{matter.pk}/").status_code == 404


def test_office_proposes_from_a_matter_and_bad_input_changes_nothing(world):
    matter = f.MatterFactory(village=world.v2, description="修好了村道")
    client = page_client(world.office.user)
    bad = client.post(f"/figures/propose/matter/{matter.pk}/", {
        "title": "修路", "story": "修好了村道", "period_start": "2026-11-30", "period_end": "2026-11-01",
    })
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "请选择干部或填写群众姓名" in html or "期间止不能早于期间起" in html
    assert not ModelFigure.objects.exists()
    good = client.post(f"/figures/propose/matter/{matter.pk}/", {
        "title": "修路", "villager_name": "王大爷", "story": "修好了村道", "period_start": "2026-11-01",
        "period_end": "2026-11-30",
    })
    assert good.status_code == 302
    assert ModelFigure.objects.get().village == world.v2


def test_only_the_office_confirms_and_only_confirmed_figures_are_offered_to_a_bulletin(world):
    figure = ModelFigure.objects.create(township=world.township, villager_name="王大爷", title="t", story="s",
                                        period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30),
                                        status=ModelFigure.Status.PROPOSED)
    from bulletins.services import _overlapping_figures

    assert _overlapping_figures([world.township.pk], dt.date(2026, 11, 1), dt.date(2026, 11, 30))[world.township.pk] == []
    with pytest.raises(NotAllowed):
        model_figure_confirm(actor=actor_for(world.unit_head.user), figure=figure)
    model_figure_confirm(actor=actor_for(world.office.user), figure=figure)
    figure.refresh_from_db()
    assert figure.status == ModelFigure.Status.CONFIRMED
    assert _overlapping_figures([world.township.pk], dt.date(2026, 11, 1), dt.date(2026, 11, 30))[world.township.pk] == [figure]
