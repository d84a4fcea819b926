"""An unannounced inspection (暗访) recorded by the discipline inspector, kept from its subject until
it is published (通报)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from supervision.models import Inspection
from tests.e2e.conftest import DESKTOP, PHONE, goto, login, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINDING = "村务公开栏内容三个月未更新，台账材料重复填报。"


def test_inspector_records_an_unannounced_inspection_the_village_sees_once_published(world, new_page):
    # given the discipline inspector at their desk
    inspector = new_page(DESKTOP)
    login(inspector, "inspector")
    goto(inspector, "/inspections/new/")

    # when they record an unannounced visit to 东河村
    today = timezone.localdate()
    inspector.get_by_label("督查日期").fill(today.isoformat())
    inspector.get_by_label("方式").select_option(label="暗访")
    inspector.get_by_role("textbox", name="名称").fill("东河村作风暗访")
    inspector.get_by_label("督查对象类型").select_option(label="村")
    inspector.get_by_label("对象村").select_option(label="东河村")
    with inspector.expect_navigation():
        inspector.get_by_role("button", name="登记").click()
    wait_for_path(inspector, r"/inspections/\d+/")
    assert inspector.get_by_role("status").inner_text() == "督查已登记。"
    inspection = Inspection.objects.get()

    # and add what they found
    inspector.get_by_label("问题类别").select_option(label="形式主义")
    inspector.get_by_role("textbox", name="问题描述").fill(FINDING)
    inspector.get_by_label("处理方式").select_option(label="提醒谈话")
    with inspector.expect_navigation():
        inspector.get_by_role("button", name="添加").click()
    assert inspector.get_by_role("status").inner_text() == "督查问题已添加。"
    assert FINDING in inspector.get_by_role("region", name="发现的问题").inner_text()

    # then the village's secretary cannot see it yet
    village = new_page(PHONE)
    login(village, "village1")
    assert goto(village, f"/inspections/{inspection.pk}/").status == 404

    # when the inspector publishes it, confirming the dialog
    inspector.once("dialog", lambda dialog: dialog.accept())
    with inspector.expect_navigation():
        inspector.get_by_role("button", name="通报").click()
    inspection.refresh_from_db()
    assert inspection.published_at is not None

    # then the village secretary reads the finding
    assert goto(village, f"/inspections/{inspection.pk}/").status == 200
    assert FINDING in village.get_by_role("region", name="发现的问题").inner_text()
