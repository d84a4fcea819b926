"""With English chosen, dates read in English and generated texts (a matter's source) are English;
Chinese keeps its own dates (2026年12月5日, 12月5日)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from cadres.roles import actor_for
from supervision.services.matters import matter_create
from tests import factories as f
from tests.helpers import page_client

DAY = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)


def english(user):  # type: ignore[no-untyped-def]
    client = page_client(user)
    client.cookies["django_language"] = "en"
    return client


def test_diary_and_matter_pages_show_english_dates_and_sources_in_english(world):
    with time_machine.travel(DAY, tick=False):
        diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate(), problems="路灯坏了")
        matter = matter_create(actor=actor_for(world.cadre1.user), diary=diary)
        client = english(world.cadre1.user)

        diary_page = client.get(f"/diaries/{diary.pk}/").content.decode()
        matter_page = client.get(f"/matters/{matter.pk}/").content.decode()
        diaries_page = client.get("/diaries/").content.decode()

    assert "Dec. 5, 2026" in diary_page and "Dec. 5, 2026" in diaries_page
    assert "干部甲's diary of December 5" in matter_page
    assert "Source: " in matter_page and "来源" not in matter_page
    for page in (diary_page, matter_page, diaries_page):
        assert not re.search(r"\d+月\d+日", page), "a hand-formatted Chinese date is left"


def test_chinese_dates_stay_chinese_without_a_padded_month(world):
    with time_machine.travel(dt.datetime(2026, 9, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate())
        matter = matter_create(actor=actor_for(world.cadre1.user), diary=diary, description="路灯坏了")
        client = page_client(world.cadre1.user)
        diary_page = client.get(f"/diaries/{diary.pk}/").content.decode()
        matter_page = client.get(f"/matters/{matter.pk}/").content.decode()

    assert "2026年9月5日" in diary_page
    assert "干部甲 9月5日的日记" in matter_page and "09月" not in matter_page
    assert "来源：民情日记" in matter_page
