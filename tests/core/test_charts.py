"""Charts colour bars by what the value means (a threshold), not all in one alarming red."""

from __future__ import annotations

import re

from core.charts import GREEN, NEUTRAL, RED, YELLOW, Threshold, column_chart


def fills(svg: str) -> list[str]:
    return re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', svg)


def test_a_threshold_names_the_level_of_a_value():
    higher = Threshold(good=90, warn=70)
    lower = Threshold(good=2, warn=5, higher_is_better=False)
    assert [higher.level(v) for v in (100, 90, 89.9, 70, 69, 0, None)] == [
        "good", "good", "warn", "warn", "bad", "bad", None]
    assert [lower.level(v) for v in (0, 2, 3, 5, 6)] == ["good", "good", "warn", "warn", "bad"]


def test_columns_take_the_colour_of_their_level():
    svg = str(column_chart("完成率", [("a", 95), ("b", 75), ("c", 40), ("d", None), ("e", 0)], maximum=100,
                           suffix="%", threshold=Threshold(good=90, warn=70)))
    assert fills(svg) == [GREEN, YELLOW, RED]  # None and 0 draw no column
    assert "—" in svg


def test_columns_without_a_threshold_are_neutral_not_red():
    svg = str(column_chart("件数", [("a", 3), ("b", 1)]))
    assert fills(svg) == [NEUTRAL, NEUTRAL]
