"""An idea from a diary on the party committee's agenda (党委议题), decided in the browser: the
party secretary records the committee's decision (记录决策) and the diary's author reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from core.models import Notification
from supervision.models import AgendaItem
from supervision.notifications import NotificationKind
from supervision.services.agenda import idea_adopt
from supervision.services.diaries import diary_create
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, post_crafted_form, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITUATION = "走访东河村三组，群众反映路灯不亮。"
IDEAS = "建议把路灯维修纳入村级小额项目，当月解决。"
TITLE = "路灯维修纳入村级小额项目"
DECISION = "同意纳入村级小额项目，由农业服务中心牵头，月底前完成。"


def adopted_idea(world: Any) -> AgendaItem:
    """cadre1's diary of today with an idea, adopted by the party secretary."""
    diary = diary_create(actor=actor_for(world.cadre1.user), village=world.v1, situation=SITUATION, ideas=IDEAS)
    return idea_adopt(actor=actor_for(world.secretary.user), diary=diary, title=TITLE)


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def idea_region(page: Any) -> Any:
    return page.get_by_role("region", name="建议与决策")


def test_the_secretary_records_the_decision_and_the_author_reads_it(world, new_page):
    # given cadre1's idea, adopted onto the agenda and waiting for the committee
    item = adopted_idea(world)
    meeting = timezone.localdate()  # the day the idea was adopted: a decision is never dated earlier

    # when the party secretary opens the agenda from the diary list on their desk
    secretary = new_page(DESKTOP)
    login(secretary, "secretary")
    goto(secretary, "/diaries/")
    secretary.get_by_role("link", name="党委议题").click()
    wait_for_path(secretary, r"/diaries/agenda/")

    # then the idea is listed as 待议, with who raised it
    row = secretary.get_by_role("row").filter(has_text=TITLE)
    assert "干部甲（东河村）" in row.inner_text()
    assert "待议" in row.inner_text()

    # when they open it and record the committee's decision of yesterday's meeting
    row.get_by_role("link", name=TITLE).click()
    wait_for_path(secretary, rf"/diaries/{item.diary_id}/")
    assert "待党委研究。" in idea_region(secretary).inner_text()
    secretary.get_by_role("textbox", name="决策内容").fill(DECISION)
    secretary.get_by_label("会议日期").fill(meeting.isoformat())
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="记录决策").click()

    # then the diary shows the decision, which cannot be recorded twice
    assert secretary.get_by_role("status").inner_text() == "决策已记录，已通知建议人。"
    assert f"党委决策（{cn(meeting)}）：{DECISION}" in idea_region(secretary).inner_text()
    assert secretary.get_by_role("button", name="记录决策").count() == 0
    item.refresh_from_db()
    assert (item.status, item.decision, item.meeting_date, item.decided_by) == (
        AgendaItem.Status.DECIDED, DECISION, meeting, world.secretary.user,
    )

    # and the agenda lists it as decided on the meeting's day
    goto(secretary, "/diaries/agenda/")
    assert f"已决策 {meeting.month}月{meeting.day}日" in secretary.get_by_role("row").filter(has_text=TITLE).inner_text()

    # when cadre1, the idea's author, opens the notification on their phone
    cadre1 = new_page(PHONE)
    login(cadre1, "cadre1")
    note = Notification.objects.get(recipient=world.cadre1.user, kind=NotificationKind.IDEA_DECIDED)
    assert note.title == f"党委已就您的建议作出决策：{TITLE}"
    goto(cadre1, "/notifications/")
    entry = cadre1.locator("ul.list > li").filter(has_text=note.title)
    assert DECISION in entry.inner_text()
    entry.get_by_role("link", name="查看").tap()

    # then their diary shows the committee's decision, and they may not change it
    wait_for_path(cadre1, rf"/diaries/{item.diary_id}/")
    region = idea_region(cadre1).inner_text()
    assert f"列入党委议题：{TITLE}" in region
    assert f"党委决策（{cn(meeting)}）：{DECISION}" in region
    assert cadre1.get_by_role("button", name="记录决策").count() == 0
    assert not has_horizontal_scroll(cadre1)
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_future_meeting_is_refused_and_the_author_cannot_decide(world, new_page):
    # given cadre1's idea on the agenda
    item = adopted_idea(world)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # when the secretary dates the decision tomorrow
    secretary = new_page(DESKTOP)
    login(secretary, "secretary")
    goto(secretary, f"/diaries/{item.diary_id}/")
    secretary.get_by_role("textbox", name="决策内容").fill(DECISION)
    secretary.get_by_label("会议日期").fill(tomorrow.isoformat())
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="记录决策").click()

    # then the page says why in Chinese and keeps what was typed
    assert "会议日期不能晚于今天。" in secretary.get_by_role("alert").all_inner_texts()
    assert secretary.get_by_role("textbox", name="决策内容").input_value() == DECISION

    # when cadre1, the author, opens the diary: no decision form for them
    cadre1 = new_page(PHONE)
    login(cadre1, "cadre1")
    goto(cadre1, f"/diaries/{item.diary_id}/")
    assert "待党委研究。" in idea_region(cadre1).inner_text()
    assert cadre1.get_by_role("button", name="记录决策").count() == 0

    # and a decision posted by hand is refused in Chinese
    response = post_crafted_form(cadre1, f"/diaries/agenda/{item.pk}/decide/", {"decision": "我自己定了。"})
    assert response.status == 403
    assert cadre1.get_by_role("alert").inner_text() == "只有镇领导或党政办可以记录党委决策。"

    # and the item is still waiting, with nobody told anything
    item.refresh_from_db()
    assert (item.status, item.decision, item.decided_at) == (AgendaItem.Status.PENDING, "", None)
    assert not Notification.objects.filter(kind=NotificationKind.IDEA_DECIDED).exists()
