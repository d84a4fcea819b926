"""一类事 in the browser, on a phone: the party secretary puts a group of the same problem raised in
two villages on the committee's agenda and records the decision; both diaries then carry it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from core.models import Notification
from supervision.models import AgendaItem, ProblemGroup
from supervision.services.problem_groups import month_of, problem_groups_refresh
from tests import factories as f
from tests.e2e.conftest import PHONE, goto, has_horizontal_scroll, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECISION = "统一维修各村机井水泵，水务站牵头，月底前完成。"


def test_adopting_a_group_carries_the_decision_back_to_both_diaries(world: Any, new_page: Any) -> None:
    # given the two diaries in two villages, and an unrelated third, grouped this month
    today = timezone.localdate()
    d1 = f.DiaryFactory(author=world.cadre1, village=world.v1, date=today, category="infrastructure",
                        problems="机井水泵损坏，春灌用水困难")
    d2 = f.DiaryFactory(author=world.cadre2, village=world.v2, date=today, category="infrastructure",
                        problems="村里机井的水泵坏了多日，群众春灌用水困难")
    d3 = f.DiaryFactory(author=world.cadre3, village=world.v3, date=today, category="infrastructure",
                        problems="村道路灯不亮，夜间出行不便")
    start, end = month_of(today)
    problem_groups_refresh(start=start, end=end, township_id=world.township.pk)
    group = ProblemGroup.objects.get(township=world.township)
    assert not d3.problem_groups.exists()

    # when the party secretary opens this month's groups on a phone
    secretary = new_page(PHONE)
    login(secretary, "secretary")
    goto(secretary, "/agenda/groups/")
    assert not has_horizontal_scroll(secretary)
    secretary.get_by_role("link", name=group.label).tap()
    wait_for_path(secretary, rf"/agenda/groups/{group.pk}/")
    assert "东河村" in secretary.content() and "光明路村" in secretary.content()
    assert not has_horizontal_scroll(secretary)

    # and puts it on the committee's agenda, then records the decision
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="列入党委议题").tap()
    item = AgendaItem.objects.get()
    wait_for_path(secretary, rf"/agenda/{item.pk}/")
    secretary.get_by_role("textbox", name="决策内容").fill(DECISION)
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="记录决策").tap()
    assert DECISION in secretary.locator(".item-decision").inner_text()
    assert not has_horizontal_scroll(secretary)

    # then both authors are told, and each diary shows the decision
    assert set(Notification.objects.filter(kind="group_decided").values_list("recipient__username", flat=True)) == {
        "cadre1", "cadre2"}
    for username, diary in (("cadre1", d1), ("cadre2", d2)):
        page = new_page(PHONE)
        login(page, username)
        goto(page, f"/diaries/{diary.pk}/")
        region = page.get_by_role("region", name="党委对同类问题的决策").inner_text()
        assert DECISION in region
        assert not has_horizontal_scroll(page)
