"""After an inspection (督查) is published: the subject reports its rectification (整改) from the
page and the inspector closes the case; a finding is turned into a matter (转入问题台账) that the
office then assigns like any other."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from core.models import Notification
from supervision.models import Inspection, InspectionFinding, Matter
from supervision.services.inspections import inspection_add_finding, inspection_create, inspection_publish
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, post_crafted_form, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "东河村作风督查"
FINDING = "村务公开栏内容三个月未更新，台账材料重复填报。"
REPORT = "公开栏已按季度更新，重复台账已合并为一本，村两委已集体学习整改要求。"


def inspection_with_finding(world: Any, *, kind: str, published: bool) -> tuple[Inspection, InspectionFinding]:
    """The discipline inspector's inspection of 东河村 with one finding to answer with a 提醒谈话."""
    today = timezone.localdate()
    inspection = inspection_create(actor=actor_for(world.inspector.user), date=today, kind=kind, title=TITLE, subject=world.v1)
    finding = inspection_add_finding(inspection=inspection, actor=actor_for(world.inspector.user), category="formalism",
                                     description=FINDING, action="reminder",
                                     rectification_deadline=today + dt.timedelta(days=14))
    if published:
        inspection_publish(inspection=inspection, actor=actor_for(world.inspector.user))
    return inspection, finding


def findings_of(page: Any) -> Any:
    return page.get_by_role("region", name="发现的问题")


def state_of(page: Any) -> str:
    """The 状态 line of the inspection's facts."""
    return page.locator("dt", has_text="状态").locator("xpath=following-sibling::dd[1]").inner_text()


def press(page: Any, button: str, *, confirm: bool = False) -> None:
    if confirm:
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_the_village_reports_its_rectification_and_the_inspector_closes_the_case(world, new_page):
    # given a published inspection of 东河村 with one finding that calls for rectification
    inspection, finding = inspection_with_finding(world, kind=Inspection.Kind.ANNOUNCED, published=True)
    today = timezone.localdate()

    # when the inspector tries to close the case before any rectification is reported
    inspector = new_page(DESKTOP)
    login(inspector, "inspector")
    goto(inspector, f"/inspections/{inspection.pk}/")
    assert state_of(inspector).startswith("已通报")
    press(inspector, "结案", confirm=True)

    # then the page refuses, saying why
    assert inspector.get_by_role("status").inner_text() == "还有1项问题未报送整改情况，不能结案。"
    inspection.refresh_from_db()
    assert inspection.closed_at is None

    # when the village secretary follows the 通报 notification on their phone and reports the rectification
    village = new_page(PHONE)
    login(village, "village1")
    goto(village, "/notifications/")
    village.locator("ul.list > li").filter(has_text=f"督查通报：{TITLE}").get_by_role("link", name="查看").tap()
    wait_for_path(village, rf"/inspections/{inspection.pk}/")
    assert FINDING in findings_of(village).inner_text()
    assert village.get_by_role("button", name="结案").count() == 0  # the inspectors' button only
    village.get_by_text("报送整改情况").tap()
    village.get_by_label("整改情况").fill(REPORT)
    press(village, "报送")

    # then the report shows under the finding, dated today
    assert village.get_by_role("status").inner_text() == "整改情况已报送。"
    assert f"整改情况（{today.isoformat()}）：{REPORT}" in findings_of(village).inner_text()
    assert not has_horizontal_scroll(village)
    finding.refresh_from_db()
    assert finding.rectification_report == REPORT
    assert finding.rectified_at is not None

    # and the office reads it, without a form to answer or close
    office = new_page(DESKTOP)
    login(office, "office")
    goto(office, f"/inspections/{inspection.pk}/")
    assert REPORT in findings_of(office).inner_text()
    assert office.get_by_text("报送整改情况").count() == 0
    assert office.get_by_role("button", name="结案").count() == 0

    # when the inspector closes the case now
    goto(inspector, f"/inspections/{inspection.pk}/")
    assert REPORT in findings_of(inspector).inner_text()
    press(inspector, "结案", confirm=True)

    # then it is closed, and the village can no longer change its report
    assert inspector.get_by_role("status").inner_text() == "督查已结案。"
    assert state_of(inspector) == f"已结案 {today.isoformat()}"
    inspection.refresh_from_db()
    assert inspection.closed_at is not None
    goto(village, f"/inspections/{inspection.pk}/")
    assert state_of(village).startswith("已结案")
    assert village.get_by_text("报送整改情况").count() == 0


def test_a_finding_becomes_a_matter_once_published_and_the_office_assigns_it(world, new_page):
    # given an unannounced inspection (暗访) of 东河村 with a finding, not yet published
    inspection, finding = inspection_with_finding(world, kind=Inspection.Kind.UNANNOUNCED, published=False)

    # when the inspector opens it: a confidential finding may not go into the ledger
    inspector = new_page(DESKTOP)
    login(inspector, "inspector")
    goto(inspector, f"/inspections/{inspection.pk}/")
    assert "通报前保密" in inspector.locator("section.card").first.inner_text()
    assert inspector.get_by_text("转入问题台账").count() == 0

    # when they publish it, confirming the dialog
    press(inspector, "通报", confirm=True)
    assert inspector.get_by_role("status").inner_text() == "已通报，被督查对象将收到通知。"

    # and turn the finding into a matter of 东河村 under 村容村貌
    inspector.get_by_text("转入问题台账").click()
    assert inspector.get_by_label("问题所在村").locator("option:checked").inner_text() == "东河村"
    inspector.get_by_label("台账类别").select_option(label="村容村貌")
    press(inspector, "转入台账")

    # then the finding links to the new matter, which is registered from the inspection
    matter = Matter.objects.get(finding=finding)
    assert inspector.get_by_role("status").inner_text() == f"已转入问题台账（#{matter.pk}）。"
    assert f"已转入问题台账 #{matter.pk}" in findings_of(inspector).inner_text()
    assert inspector.get_by_text("转入问题台账", exact=True).count() == 0  # once only
    assert (matter.source, matter.status, matter.village, matter.category, matter.raised_by) == (
        Matter.Source.INSPECTION, Matter.Status.REGISTERED, world.v1, "village_appearance", world.inspector,
    )
    assert matter.description == f"【督查：{TITLE}】{FINDING}"

    # and a second conversion posted by hand is refused, leaving one matter
    post_crafted_form(inspector, f"/inspections/findings/{finding.pk}/matter/", {"village": "", "category": "other"})
    assert inspector.get_by_role("status").inner_text() == f"该问题已转入问题台账（#{matter.pk}）。"
    assert Matter.objects.filter(finding=finding).count() == 1

    # when the office follows its notification
    office = new_page(DESKTOP)
    login(office, "office")
    assert Notification.objects.filter(recipient=world.office.user, title__startswith="新登记问题待交办：【督查").exists()
    goto(office, "/notifications/")
    office.locator("ul.list > li").filter(has_text="新登记问题待交办").get_by_role("link", name="查看").click()

    # then it sees a registered matter from 督查, with the 交办 form
    wait_for_path(office, rf"/matters/{matter.pk}/")
    assert office.locator("article .status").inner_text() == "登记"
    assert "督查" in office.locator("dt", has_text="来源").locator("xpath=following-sibling::dd[1]").inner_text()
    assert office.get_by_role("button", name="交办").is_visible()

    # and the village secretary finds it among 东河村's matters
    village = new_page(PHONE)
    login(village, "village1")
    goto(village, "/matters/")
    row = village.locator("ul.matter-list > li").filter(has_text=f"#{matter.pk} ")
    assert "村容村貌 · 登记" in row.inner_text()
    assert not has_horizontal_scroll(village)
