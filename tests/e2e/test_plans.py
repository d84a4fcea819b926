"""A village development plan in the browser, each step by the role that does it: cadre1 drafts the
plan with a goal and two milestones, the village cadre adds a milestone, cadre1 submits, the party
secretary approves; the overdue milestone turns red and is escalated; a milestone is marked done
from the phone with a photo."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from cadres.roles import SYSTEM
from core.models import Notification
from supervision.models import Plan
from supervision.services.plans import milestones_escalate_overdue
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, signed_in, submit, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def status_of(page: Any) -> str:
    return page.locator("article .status").inner_text()


def add(page: Any, action: str, summary: str, fields: dict[str, str], select: dict[str, str] | None = None) -> None:
    """Open a <details> form on the plan page, fill it and send it."""
    page.locator("summary", has_text=summary).first.click()
    form = page.locator(f"form[action$='/{action}/']")
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    for label, option in (select or {}).items():
        form.get_by_label(label).select_option(label=option)
    with page.expect_navigation():
        form.get_by_role("button").click()


def test_a_plan_is_drafted_approved_and_followed_from_the_phone(world, new_page, tmp_path):
    today = timezone.localdate()
    # cadre1 drafts a plan for 东河村 on the phone
    cadre1 = signed_in(new_page, PHONE, "cadre1")
    goto(cadre1, "/plans/")
    with cadre1.expect_navigation():
        cadre1.get_by_role("link", name="起草规划").click()
    cadre1.get_by_label("村").select_option(label="东河村")
    cadre1.get_by_label("规划名称").fill("日光温室发展规划")
    cadre1.get_by_label("规划期起").fill(f"{today.year}-01-01")
    cadre1.get_by_label("规划期止").fill(f"{today.year + 2}-12-31")
    submit(cadre1, "保存草稿")
    wait_for_path(cadre1, r"/plans/\d+/")
    plan = Plan.objects.get()
    assert status_of(cadre1) == "草稿"
    add(cadre1, "goal", "添加目标", {"指标": "新建日光温室", "单位": "座", "目标值": "50"})
    add(cadre1, "milestone", "添加节点", {"节点": "完成选址", "完成期限": (today + dt.timedelta(days=20)).isoformat()})
    add(cadre1, "milestone", "添加节点", {"节点": "建成第一批", "完成期限": (today + dt.timedelta(days=200)).isoformat()})
    assert not has_horizontal_scroll(cadre1)

    # the village's secretary adds a milestone that is already past due, with themself responsible
    village1 = signed_in(new_page, PHONE, "village1")
    goto(village1, f"/plans/{plan.pk}/")
    add(village1, "milestone", "添加节点", {"节点": "村民代表会议", "完成期限": (today - dt.timedelta(days=1)).isoformat()},
        select={"责任人": "村书记"})
    assert village1.get_by_role("button", name="审批通过").count() == 0

    # cadre1 submits; the party secretary approves from a desktop
    goto(cadre1, f"/plans/{plan.pk}/")
    submit(cadre1, "提交审批")
    assert status_of(cadre1) == "已提交"
    secretary = signed_in(new_page, DESKTOP, "secretary")
    goto(secretary, f"/plans/{plan.pk}/")
    submit(secretary, "审批通过")
    assert status_of(secretary) == "已审批"

    # the overdue milestone is red, and the daily job escalates it to the responsible and the leader
    goto(village1, f"/plans/{plan.pk}/")
    late = plan.milestones.get(title="村民代表会议")
    assert village1.locator(f"#milestone-{late.pk} .light.red").inner_text() == "逾期"
    assert milestones_escalate_overdue(today=today, actor=SYSTEM) == 1
    assert sorted(Notification.objects.filter(kind="plan_milestone_overdue").values_list(
        "recipient__username", flat=True)) == ["deputy", "village1"]

    # the village's secretary marks the first milestone done with a photo taken on the phone
    first = plan.milestones.get(title="完成选址")
    photo = tmp_path / "site.png"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    item = village1.locator(f"#milestone-{first.pk}")
    item.locator("summary").click()
    item.get_by_label("完成情况").fill("选址完成，村民代表会议通过。")
    item.get_by_label("佐证材料（图片或 PDF，可不传）").set_input_files(str(photo))
    with village1.expect_navigation():
        item.get_by_role("button", name="确认完成").click()
    first.refresh_from_db()
    assert (first.status, first.done_on, first.done_note) == ("done", today, "选址完成，村民代表会议通过。")
    assert first.evidence.name
    assert village1.locator(f"#milestone-{first.pk}").get_by_role("link", name="查看佐证材料").count() == 1
    assert not has_horizontal_scroll(village1)


def test_the_plan_pages_have_no_serious_accessibility_violations(world, new_page):
    from tests.e2e.conftest import describe_violations, login, run_axe

    plan = Plan.objects.create(township=world.township, village=world.v1, title="日光温室发展规划",
                               period_start=dt.date(2026, 1, 1), period_end=dt.date(2028, 12, 31), status="approved")
    plan.goals.create(indicator="新建日光温室", unit="座", target=50)
    plan.milestones.create(title="完成选址", due=timezone.localdate() - dt.timedelta(days=1))
    page = new_page(PHONE, bypass_csp=True)
    login(page, "cadre1")
    problems = {}
    for path in ("/plans/", f"/plans/{plan.pk}/", "/plans/new/", f"/plans/{plan.pk}/print/"):
        goto(page, path)
        found = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
        if found:
            problems[path] = describe_violations(found)
    assert problems == {}
