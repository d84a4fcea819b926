"""The township's cadre hierarchy (/cadres/tree/, 干部层级) in the browser: the party secretary reads
it on a phone, the office unfolds the villages with the keyboard and sees a superior out of line;
a cadre, or a cadre of another township, gets a 404 (docs/design.md §4: only the leaders, the office and
the county see the whole township)."""

from __future__ import annotations

from typing import Any

import pytest

from cadres.models import Cadre, Post
from tests.e2e.conftest import DESKTOP, PHONE, goto, has_horizontal_scroll, login, wait_for_path
from tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def node(page: Any, name: str) -> Any:
    """The tree entry of a cadre: their own line and everyone under them."""
    return page.locator("ul.tree li").filter(has=page.locator(f"xpath=./span[@class='node']/strong[text()='{name}']"))


def focused_text(page: Any) -> str:
    return str(page.evaluate("document.activeElement.innerText"))


def test_party_secretary_reads_the_hierarchy_on_a_phone(world, page_phone):
    # given the party secretary on their phone, on the dashboard
    page = page_phone
    login(page, "secretary")

    # when they follow 查看干部层级 from the township's quota panel
    page.get_by_role("link", name="查看干部层级").tap()
    wait_for_path(page, "/cadres/tree/")

    # then the township's offices are shown as the chain of countersignatures:
    # 书记 → 副镇长 → 站长 → 干部甲, 干部乙
    assert page.get_by_role("heading", level=1).inner_text() == "东河镇干部层级"
    secretary = node(page, "书记")
    assert secretary.locator(":scope > .node").inner_text().split()[:2] == ["书记", "党委书记"]
    deputy = secretary.locator(":scope > ul > li").filter(has_text="副镇长")
    unit_head = deputy.locator(":scope > ul > li").filter(has_text="站长")
    assert set(unit_head.locator(":scope > ul > li strong").all_inner_texts()) == {"干部甲", "干部乙"}
    assert "农业服务中心" in unit_head.locator(":scope > .node").inner_text()
    assert node(page, "外镇干部").count() == 0  # another township's cadre is not in it

    # and the villages are listed folded, each with its leading cadre
    villages = page.locator("section[aria-labelledby='villages-title'] details")
    assert villages.count() == 3
    east = villages.filter(has_text="东河村")
    assert "包村领导：副镇长" in east.locator("summary").inner_text()
    assert not east.get_by_text("村书记").is_visible()

    # when they tap the village open
    east.locator("summary").tap()

    # then its village cadres show, and nothing on the page needs sideways scrolling
    assert east.get_by_text("村书记").is_visible()
    assert not has_horizontal_scroll(page)
    assert page.problems.page_errors == [] and page.problems.csp_refusals == []


def test_office_unfolds_villages_with_the_keyboard_and_sees_a_superior_out_of_line(world, page_desktop):
    # given the deputy was filed as reporting to the township head (deputies answer to the party secretary)
    Cadre.objects.filter(pk=world.deputy.pk).update(reports_to=world.head)

    # when the office opens the hierarchy
    page = page_desktop
    login(page, "office")
    goto(page, "/cadres/tree/")

    # then the deputy sits under the head, flagged, with who it should be
    deputy = node(page, "镇长").locator(":scope > ul > li").filter(has_text="副镇长")
    flag = deputy.locator(":scope > .node .light.red")
    assert flag.inner_text() == "上级不符"
    assert flag.get_attribute("title") == "按职务应为书记"

    # when they move to the first village with the keyboard and press Enter
    villages = page.locator("section[aria-labelledby='villages-title'] details")
    villages.first.locator("summary").focus()
    assert focused_text(page).startswith("东河村")
    page.keyboard.press("Enter")

    # then it unfolds and shows its village cadre
    assert villages.first.get_attribute("open") is not None
    assert villages.first.get_by_text("村书记").is_visible()

    # when they Tab on (past the open village's names, which are text) and press Space
    page.keyboard.press("Tab")
    assert focused_text(page).startswith("光明路村")
    page.keyboard.press("Space")

    # then the second village unfolds too: it has no village cadre on record
    assert villages.nth(1).get_attribute("open") is not None
    assert villages.nth(1).get_by_text("未登记村干部").is_visible()

    # and Enter on it again folds it
    page.keyboard.press("Enter")
    assert villages.nth(1).get_attribute("open") is None


@pytest.mark.parametrize("who", ["cadre1", "village1", "outsider"])
def test_cadres_and_other_townships_get_not_found(world, new_page, who):
    # given a cadre of 东河镇 (or of 西山镇) on their phone
    page = new_page(PHONE)
    login(page, who)

    # when they type in the hierarchy's address
    response = goto(page, "/cadres/tree/")

    # then it does not exist for them, and nothing of the township shows
    assert response.status == 404
    text = page.locator("body").inner_text()
    assert "干部层级" not in text and "书记" not in text and "东河村" not in text
    assert page.get_by_role("link", name="查看干部层级").count() == 0


def test_the_leader_of_another_township_sees_only_their_own(world, new_page):
    # given the party secretary of 西山镇
    CadreFactory(township=world.other_township, name="西山书记", post=Post.PARTY_SECRETARY, user__username="west")
    page = new_page(DESKTOP)
    login(page, "west")

    # when they open the hierarchy
    goto(page, "/cadres/tree/")

    # then it is 西山镇's, without 东河镇's cadres or villages, and without a township picker
    assert page.get_by_role("heading", level=1).inner_text() == "西山镇干部层级"
    tree = page.locator("main").inner_text()
    assert "西山书记" in tree and "外镇干部" in tree and "西山村" in tree
    assert "干部甲" not in tree and "东河村" not in tree
    assert page.get_by_label("乡镇").count() == 0
    response = goto(page, f"/cadres/tree/?township={world.township.pk}")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "西山镇干部层级"
