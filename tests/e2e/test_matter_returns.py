"""A matter sent back (退回) in the browser: the only way back in the life cycle is an unsatisfied
revisit (回访「不满意」), recorded by the office or by the cadre who raised the matter; it returns
the matter from 已办结 to 办理中 with the reason, and its assignee is told to handle it again.

And the refusals: whoever may not make a transition has no button for it, and a hand-made POST
is refused in Chinese without changing anything."""

from __future__ import annotations

from typing import Any

import pytest

from cadres.roles import actor_for
from core.models import Notification
from supervision.models import Matter, MatterEvent
from supervision.selectors.matters import LIGHT_LABELS, light_of
from supervision.services.matters import matter_assign, matter_create, matter_resolve, matter_start
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    goto,
    has_horizontal_scroll,
    post_crafted_form,
    signed_in,
    submit,
    wait_for_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBLEM = "三组路灯坏了三盏，群众夜间出行不便。"
RESOLUTION = "已更换三组路灯三盏，经测试全部正常。"
REASON = "电话回访张三：只换了两盏，村口那盏仍不亮。"
RESOLUTION_AGAIN = "村口路灯已更换，当晚复查三盏均正常。"


def resolved_matter(world: Any) -> Matter:
    """cadre1 raised it, the office assigned it to cadre2, who started and resolved it."""
    matter = matter_create(actor=actor_for(world.cadre1.user), village=world.v1, category="infrastructure",
                           description=PROBLEM)
    matter_assign(actor=actor_for(world.office.user), matter=matter, unit=world.unit, assignee=world.cadre2)
    matter_start(actor=actor_for(world.cadre2.user), matter=matter)
    matter_resolve(actor=actor_for(world.cadre2.user), matter=matter, resolution=RESOLUTION)
    return Matter.objects.get(pk=matter.pk)


def status_of(page: Any) -> str:
    return page.locator("article .status").inner_text()


def send_back(page: Any, reason: str) -> None:
    """Record the revisit as 不满意 with its reason."""
    page.get_by_label("不满意", exact=True).check()
    page.get_by_role("textbox", name="回访记录").fill(reason)
    submit(page, "记录回访")


def last_timeline_entry(page: Any) -> str:
    return page.locator("ol.timeline > li").last.inner_text()


def test_the_office_sends_a_resolved_matter_back_and_the_assignee_sees_why(world, new_page):
    # given cadre2 resolved the street-light matter cadre1 raised
    matter = resolved_matter(world)
    events_before = matter.events.count()

    # when the office, having phoned the villager, records the revisit as 不满意 with the reason
    office = signed_in(new_page, DESKTOP, "office")
    goto(office, f"/matters/{matter.pk}/")
    assert status_of(office) == "已办结"
    assert office.get_by_role("button", name="销号").count() == 0  # not before a revisit
    send_back(office, REASON)

    # then the page shows the matter back in 办理中, with the reason in the record and the timeline
    wait_for_path(office, rf"/matters/{matter.pk}/")
    assert office.get_by_role("status").inner_text() == "操作成功。"
    assert status_of(office) == "办理中"
    assert f"回访：不满意，{REASON}" in office.locator("article").inner_text()
    assert "已办结 → 办理中" in last_timeline_entry(office)
    assert f"不满意：{REASON}" in last_timeline_entry(office)
    # the office may reassign it now, but neither revisit it again nor resolve it
    assert office.get_by_role("button", name="改派").is_visible()
    assert office.get_by_role("button", name="记录回访").count() == 0
    assert office.get_by_role("button", name="办结").count() == 0

    # and in the database: the same matter, reopened, with a 退回 event by the office
    matter.refresh_from_db()
    assert (matter.status, matter.satisfaction, matter.revisit_note) == (
        Matter.Status.IN_PROGRESS, Matter.Satisfaction.UNSATISFIED, REASON,
    )
    assert (matter.assignee, matter.resolution) == (world.cadre2, RESOLUTION)
    event = matter.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status, event.by, event.note) == (
        "return", Matter.Status.RESOLVED, Matter.Status.IN_PROGRESS, world.office.user, f"不满意：{REASON}",
    )
    assert matter.events.count() == events_before + 1

    # when cadre2, the assignee, opens the notification on their phone
    cadre2 = signed_in(new_page, PHONE, "cadre2")
    note = Notification.objects.get(recipient=world.cadre2.user, title__startswith="回访不满意")
    assert note.body == REASON
    goto(cadre2, "/notifications/")
    item = cadre2.locator("ul.list > li").filter(has_text="回访不满意，事项退回重办")
    assert REASON in item.inner_text()
    item.get_by_role("link", name="查看").tap()

    # then they see it is theirs again, why, and can resolve it anew
    wait_for_path(cadre2, rf"/matters/{matter.pk}/")
    assert status_of(cadre2) == "办理中"
    assert f"回访：不满意，{REASON}" in cadre2.locator("article").inner_text()
    assert cadre2.get_by_role("button", name="办结").is_visible()
    assert not has_horizontal_scroll(cadre2)
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_unsatisfied_revisit_by_the_raiser_reopens_the_matter_for_the_assignee(world, new_page):
    # given cadre2 resolved the matter cadre1 raised, and cadre1 was told to revisit
    matter = resolved_matter(world)
    assert Notification.objects.filter(recipient=world.cadre1.user, title__startswith="事项已办结，请回访").exists()

    # when cadre1, back in the village with a phone, records that the villagers are not satisfied
    cadre1 = signed_in(new_page, PHONE, "cadre1")
    goto(cadre1, f"/matters/{matter.pk}/")
    assert status_of(cadre1) == "已办结"
    assert RESOLUTION in cadre1.locator("article").inner_text()
    send_back(cadre1, REASON)

    # then the matter is back in 办理中, and cadre1 has nothing more to do on it for now
    assert status_of(cadre1) == "办理中"
    assert f"回访：不满意，{REASON}" in cadre1.locator("article").inner_text()
    assert cadre1.get_by_role("region", name="办理", exact=True).count() == 0
    assert not has_horizontal_scroll(cadre1)
    matter.refresh_from_db()
    assert (matter.status, matter.satisfaction) == (Matter.Status.IN_PROGRESS, Matter.Satisfaction.UNSATISFIED)
    assert MatterEvent.objects.filter(matter=matter, action="return", by=world.cadre1.user).count() == 1

    # when cadre2 opens the dashboard on their phone
    cadre2 = signed_in(new_page, PHONE, "cadre2")

    # then the matter counts again among their open matters, under its deadline light
    light = str(LIGHT_LABELS[light_of(matter)])
    panel = cadre2.get_by_role("region", name="我的问题台账")
    assert f"{light} 1" in panel.inner_text()

    # and 我的事项 lists it as 办理中
    goto(cadre2, "/matters/")
    cadre2.get_by_role("link", name="我的事项").tap()
    cadre2.wait_for_url("**/matters/?mine=on")
    row = cadre2.locator("ul.matter-list > li").filter(has_text=f"#{matter.pk} ")
    assert "办理中" in row.inner_text()
    row.get_by_role("link").tap()
    wait_for_path(cadre2, rf"/matters/{matter.pk}/")

    # when cadre2 resolves it again
    cadre2.get_by_role("textbox", name="办理结果").fill(RESOLUTION_AGAIN)
    submit(cadre2, "办结")

    # then it waits for a new revisit, which cadre1 is told about
    assert status_of(cadre2) == "已办结"
    assert RESOLUTION_AGAIN in cadre2.locator("article").inner_text()
    matter.refresh_from_db()
    assert (matter.status, matter.resolution) == (Matter.Status.RESOLVED, RESOLUTION_AGAIN)
    assert Notification.objects.filter(recipient=world.cadre1.user, title__startswith="事项已办结，请回访").count() == 2


def test_a_transition_not_offered_is_refused_even_when_posted_by_hand(world, new_page):
    # given a resolved matter, waiting for its revisit
    matter = resolved_matter(world)
    events_before = matter.events.count()

    # when cadre2, who resolved it, opens it: they may not revisit their own work
    cadre2 = signed_in(new_page, PHONE, "cadre2")
    goto(cadre2, f"/matters/{matter.pk}/")
    assert status_of(cadre2) == "已办结"
    assert cadre2.get_by_role("region", name="办理", exact=True).count() == 0
    assert cadre2.get_by_role("button", name="记录回访").count() == 0

    # and when they post a satisfied revisit by hand anyway
    response = post_crafted_form(cadre2, f"/matters/{matter.pk}/revisit/", {"satisfaction": "satisfied", "note": ""})

    # then the portal refuses, saying why in Chinese
    assert response.status == 403
    assert cadre2.get_by_role("heading", level=1).inner_text() == "无法操作"
    assert cadre2.get_by_role("alert").inner_text() == "只有登记人或党政办可以回访。"

    # when the office, who may close matters but not before the revisit, has no 销号 button
    office = signed_in(new_page, DESKTOP, "office")
    goto(office, f"/matters/{matter.pk}/")
    assert office.get_by_role("button", name="销号").count() == 0

    # and posts 销号 by hand
    response = post_crafted_form(office, f"/matters/{matter.pk}/close/", {"note": "已核实"})

    # then the matter page says why not, in Chinese, and still offers only the revisit
    assert response.status == 400
    assert office.get_by_role("status").inner_text() == "只有已回访的事项才能销号（当前：已办结）。"
    assert status_of(office) == "已办结"
    assert office.get_by_role("button", name="记录回访").is_visible()

    # and nothing changed
    matter.refresh_from_db()
    assert (matter.status, matter.satisfaction, matter.closed_at) == (Matter.Status.RESOLVED, "", None)
    assert matter.events.count() == events_before
