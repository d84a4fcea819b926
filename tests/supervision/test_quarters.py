"""Quarters ("2026Q3"): parsing, boundaries in Asia/Shanghai, the check day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supervision.quarters import Quarter, QuarterError, last_due_quarter, parse_quarter, quarter_of

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text", ["2026Q3", "2026q3", "2026-Q3", " 2026Q3 "])
def test_quarters_parse_in_the_usual_spellings(text):
    assert parse_quarter(text) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["2026Q7", "2026Q0", "2026", "Q3", "26Q3", "2026Q3x", "", None, "１９９９Q1", "1999Q1"])
def test_a_malformed_quarter_is_refused_with_a_chinese_message(text):
    with pytest.raises(QuarterError) as caught:
        parse_quarter(text)
    assert "季度" in caught.value.message or "年份" in caught.value.message


def test_quarter_boundaries_and_months():
    q = Quarter(2026, 3)
    assert (q.start, q.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert q.months == [(dt.date(2026, 7, 1), dt.date(2026, 7, 31)), (dt.date(2026, 8, 1), dt.date(2026, 8, 31)),
                        (dt.date(2026, 9, 1), dt.date(2026, 9, 30))]
    assert Quarter(2028, 1).months[1] == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))  # leap year
    assert (str(q), q.label) == ("2026Q3", "2026年第三季度")
    assert (q.next(), q.previous()) == (Quarter(2026, 4), Quarter(2026, 2))
    assert (Quarter(2026, 4).next(), Quarter(2026, 1).previous()) == (Quarter(2027, 1), Quarter(2025, 4))


def test_quarter_instants_are_midnight_in_shanghai():
    q = Quarter(2026, 4)
    assert q.start_at == dt.datetime(2026, 10, 1, tzinfo=SHANGHAI)
    assert q.start_at.astimezone(UTC) == dt.datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert q.end_at == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)


def test_an_instant_belongs_to_the_quarter_of_its_shanghai_date():
    # 16:30 UTC on 30 September is already 00:30 on 1 October in the township.
    assert quarter_of(dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == Quarter(2026, 4)
    assert quarter_of(dt.datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == Quarter(2026, 3)
    assert quarter_of(dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == Quarter(2027, 1)
    assert quarter_of(dt.date(2026, 3, 31)) == Quarter(2026, 1)


def test_the_check_runs_on_the_21st_of_the_month_after_the_quarter():
    assert Quarter(2026, 3).check_date == dt.date(2026, 10, 21)
    assert Quarter(2026, 4).check_date == dt.date(2027, 1, 21)
    assert last_due_quarter(dt.date(2026, 10, 21)) == Quarter(2026, 3)
    assert last_due_quarter(dt.date(2026, 10, 20)) == Quarter(2026, 2)
    assert last_due_quarter(dt.date(2027, 1, 21)) == Quarter(2026, 4)
    assert last_due_quarter(dt.date(2027, 1, 5)) == Quarter(2026, 3)


def test_contains():
    q = Quarter(2026, 1)
    assert q.contains(dt.date(2026, 1, 1)) and q.contains(dt.date(2026, 3, 31))
    assert not q.contains(dt.date(2026, 4, 1))
