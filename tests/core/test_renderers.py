"""core.renderers.FastJSONRenderer writes DRF's JSON byte for byte (it is only faster)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import OrderedDict

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from core.renderers import FastJSONRenderer
from tests import factories as f
from tests.helpers import api_client

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

SAMPLES = [
    {"id": 1, "name": "东河村", "none": None, "ok": True, "score": 85.5, "list": [1, "二", None]},
    [OrderedDict(a=1, b="x"), OrderedDict(a=2, b="y")],
    {"at": dt.datetime(2026, 12, 5, 3, 4, 5, 123456, tzinfo=dt.UTC)},  # microseconds cut, UTC as Z
    {"at": dt.datetime(2026, 12, 5, 11, 4, 5, tzinfo=SHANGHAI), "naive": dt.datetime(2026, 1, 2, 3, 4)},
    {"day": dt.date(2026, 2, 28), "time": dt.time(8, 30, 0, 500000)},
    {"amount": decimal.Decimal("12.50"), "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"lazy": gettext_lazy("名称"), "nested": {"deep": [gettext_lazy("状态")]}},
    {"separators": "第一行\u2028第二行\u2029第三行", "quote": '"<script>"\\'},
    {1: "integer key", 2: "two"},
    {"big": 2**70},  # orjson refuses: DRF's renderer answers
    {"emoji": "水泵😀", "controls": "a\tb\nc\x00"},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


def test_an_indented_answer_is_drfs():
    data = {"a": [1, 2], "名": "值"}
    media = "application/json; indent=4"
    rendered = FastJSONRenderer().render(data, media, {})
    assert rendered == JSONRenderer().render(data, media, {})
    assert b'\n    "a"' in rendered


def test_api_answers_with_it_and_the_bytes_are_drfs(world):
    f.DiaryFactory(author=world.cadre1, village=world.v1, situation="机井水泵损坏\u2028春灌用水困难", problems="水泵")
    f.MatterFactory(village=world.v1, description="加压泵维修")
    response = api_client(world.secretary.user).get("/api/v1/diaries/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response.content == JSONRenderer().render(response.data)
    assert response.json()["results"][0]["situation"] == "机井水泵损坏\u2028春灌用水困难"
    matters = api_client(world.secretary.user).get("/api/v1/matters/")
    assert matters.json()["results"] and matters.content == JSONRenderer().render(matters.data)
