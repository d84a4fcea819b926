"""A party-committee decision is dated between the idea's adoption and today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import AgendaItem
from supervision.services.agenda import agenda_decide, idea_adopt
from tests import factories as f

pytestmark = pytest.mark.django_db

ADOPTED = dt.date(2026, 11, 20)
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def item(world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 18), ideas="建议统一采购取暖煤")
    item = idea_adopt(actor=actor_for(world.secretary.user), diary=diary)
    AgendaItem.objects.filter(pk=item.pk).update(
        adopted_at=timezone.make_aware(dt.datetime.combine(ADOPTED, dt.time(10))))
    item.refresh_from_db()
    return item


@pytest.mark.parametrize(("meeting", "message"), [
    (dt.date(2026, 11, 19), "会议日期不能早于建议被采纳的日期（2026年11月20日）。"),
    (dt.date(1900, 1, 1), "会议日期不能早于建议被采纳的日期（2026年11月20日）。"),
    (dt.date(2026, 11, 26), "会议日期不能晚于今天。"),
])
def test_a_decision_dated_before_the_adoption_or_in_the_future_is_refused(world, item, meeting, message):
    with pytest.raises(ValidationError) as caught:
        agenda_decide(actor=actor_for(world.office.user), item=item, decision="同意", meeting_date=meeting,
                      today=TODAY)
    assert caught.value.message_dict == {"meeting_date": [message]}
    item.refresh_from_db()
    assert (item.status, item.meeting_date, item.decision) == ("pending", None, "")


@pytest.mark.parametrize("meeting", [ADOPTED, TODAY])
def test_a_decision_between_the_adoption_and_today_is_recorded(world, item, meeting):
    agenda_decide(actor=actor_for(world.office.user), item=item, decision="同意", meeting_date=meeting, today=TODAY)
    item.refresh_from_db()
    assert (item.status, item.meeting_date) == ("decided", meeting)


def test_the_decide_page_shows_the_refusal(world, item, client):
    client.force_login(world.office.user)
    response = client.post(f"/diaries/agenda/{item.pk}/decide/", {"decision": "同意实施", "meeting_date": "1900-01-01"})
    assert "会议日期不能早于建议被采纳的日期（2026年11月20日）。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "pending"
