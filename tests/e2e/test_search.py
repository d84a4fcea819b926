"""Searching diaries and matters on a phone: the words found in any order, marked, and only
what the user may read."""

from __future__ import annotations

import pytest

from cadres.roles import actor_for
from supervision.services.diaries import diary_create
from supervision.services.matters import matter_create
from tests.e2e.conftest import PHONE, has_horizontal_scroll, login, open_menu_if_collapsed, wait_for_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN = "东坡组地势高，夏季供水不足，群众建议加装加压泵。"
OTHERS = "二组加压泵坏了，高处供水中断两天。"


@pytest.fixture
def written(world):  # type: ignore[no-untyped-def]
    own = diary_create(actor=actor_for(world.cadre1.user), village=world.v1, situation=OWN)
    other = diary_create(actor=actor_for(world.cadre2.user), village=world.v2, situation=OTHERS)
    matter = matter_create(actor=actor_for(world.office.user), village=world.v1, description="加压泵维修后供水恢复")
    return own, other, matter


def search_from_the_menu(page, words: str) -> None:  # type: ignore[no-untyped-def]
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="搜索").click()
    wait_for_path(page, r"/search/")
    page.get_by_label("关键词").fill(words)
    page.get_by_label("关键词").press("Enter")
    wait_for_path(page, r"/search/")


def test_a_cadre_finds_their_own_diary_on_a_phone_and_nobody_elses(world, written, new_page):
    own, other, _matter = written
    page = new_page(PHONE)
    login(page, "cadre1")
    search_from_the_menu(page, "供水 加压泵")

    diaries = page.get_by_role("region", name="民情日记")
    assert diaries.locator(f'a[href="/diaries/{own.pk}/"]').count() == 1
    assert diaries.locator(f'a[href="/diaries/{other.pk}/"]').count() == 0
    marked = diaries.locator("mark").all_inner_texts()
    assert "加压泵" in marked and "供水" in marked
    assert not has_horizontal_scroll(page)

    # a word that is nowhere, and one character: a clear answer, never an error page
    page.get_by_label("关键词").fill("水")
    page.get_by_label("关键词").press("Enter")
    page.get_by_role("alert").filter(has_text="每个中文词至少两个字").wait_for()
    assert not has_horizontal_scroll(page)


def test_the_leader_finds_both_diaries_and_the_matter(world, written, new_page):
    own, other, matter = written
    page = new_page(PHONE)
    login(page, "secretary")
    search_from_the_menu(page, "加压泵 供水")
    for href in (f"/diaries/{own.pk}/", f"/diaries/{other.pk}/", f"/matters/{matter.pk}/"):
        assert page.locator(f'main a[href="{href}"]').count() == 1, href
    assert not has_horizontal_scroll(page)
