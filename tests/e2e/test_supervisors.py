"""The supervisors' pages and every disclosure domain in the browser, at phone width (360 px):
the unit head opens the completeness page and sees their unit only; the office posts a 政务 item
for the township and a 校务 item for a school, and both appear in the next quarterly check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres.models import School
from cadres.roles import SYSTEM
from supervision.models import Disclosure, DisclosureCheck, DisclosureRequirement, Subject
from supervision.quarters import current_quarter
from supervision.services.disclosures import disclosure_check_run
from tests import factories as f
from tests.e2e.conftest import PHONE, goto, has_horizontal_scroll, signed_in, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}


def test_unit_head_sees_their_units_completeness_only(world, new_page):
    today = timezone.localdate()
    f.DiaryFactory(author=world.cadre2, village=world.v1, date=today)
    head = signed_in(new_page, PHONE_360, "unithead")
    goto(head, "/reports/completeness/")
    names = head.locator(".completeness-line strong").all_inner_texts()
    assert names == ["干部乙", "干部甲", "站长"]
    assert "干部丙" not in head.content() and "外镇干部" not in head.content()
    assert not has_horizontal_scroll(head)

    # a bad period is refused with a message, and nothing is listed
    head.get_by_label("起始日期").fill((today + dt.timedelta(days=5)).isoformat())
    head.get_by_label("截止日期").fill(today.isoformat())
    with head.expect_navigation():
        head.get_by_role("button", name="查看").tap()
    assert "截止日期不能早于起始日期" in head.get_by_role("alert").first.inner_text()
    assert head.locator(".completeness-line").count() == 0


def test_township_and_school_items_appear_in_the_next_check(world, new_page):
    today = timezone.localdate()
    quarter = current_quarter(today).previous()
    DisclosureRequirement.objects.create(
        township=world.township, domain="government_affairs", category="重大项目及惠民政策落实情况",
        frequency="quarterly", due_day=28, applies_to=Subject.TOWNSHIP)
    DisclosureRequirement.objects.create(
        township=world.township, domain="school_affairs", category="学校收费及学生资助",
        frequency="quarterly", due_day=28, applies_to=Subject.SCHOOL)
    School.objects.create(township=world.township, name="东河镇中心小学")
    office = signed_in(new_page, PHONE_360, "office")

    def post(subject: str, requirement: str, title: str, school: str | None = None) -> None:
        goto(office, "/disclosures/new/")
        assert not has_horizontal_scroll(office)
        office.get_by_label("公开主体").select_option(label=subject)
        if school:
            office.get_by_label("学校").select_option(label=school)
        office.get_by_label("公开类别（对应要求）").select_option(label=requirement)
        office.locator("#id_title").fill(title)
        office.get_by_role("textbox", name="公开内容").fill("详见公开栏。")
        office.get_by_label("所属期间起").fill(quarter.start.isoformat())
        office.get_by_label("所属期间止").fill(quarter.end.isoformat())
        # posted a few days after the quarter (the office vouches for the earlier date)
        office.get_by_label("公开日期").fill(min(today, quarter.end + dt.timedelta(days=5)).isoformat())
        with office.expect_navigation():
            office.get_by_role("button", name="登记").tap()
        wait_for_path(office, r"/disclosures/\d+/")

    post("乡镇", "政务·重大项目及惠民政策落实情况（每季度）", "镇政府重大项目公示")
    post("学校", "校务·学校收费及学生资助（每季度）", "中心小学收费公示", school="东河镇中心小学")
    assert sorted(Disclosure.objects.values_list("subject_kind", flat=True)) == ["school", "township"]

    disclosure_check_run(actor=SYSTEM, year=quarter.year, quarter=quarter.quarter, township=world.township,
                         today=max(today, quarter.end + dt.timedelta(days=1)))
    assert DisclosureCheck.objects.filter(subject_kind=Subject.TOWNSHIP, on_time_count=1).count() == 1
    assert DisclosureCheck.objects.filter(school__name="东河镇中心小学", on_time_count=1).count() == 1

    goto(office, f"/disclosures/?quarter={quarter}&year={quarter.year}")
    body = office.content()
    assert "东河镇（镇本级）" in body and "东河镇中心小学" in body
    assert not has_horizontal_scroll(office)
