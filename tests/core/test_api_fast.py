"""core.api_fast.moment_text: the lists' timestamps, written from a day's cached offset, are exactly
what DRF's DateTimeField writes, in every zone and across its transitions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField

from core.api_fast import moment_text

# China's own (no transition since 1991), two with summer time, offsets of 45 and 30 minutes, a
# 30-minute summer shift, and UTC ("Z").
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]


def _moments() -> list[datetime]:
    """Naive UTC values over two years, every 37 minutes with random microseconds (or none), and
    each minute around the hours where zones change their offset."""
    rng = random.Random(7)
    start = datetime(2025, 1, 1)
    values = [start + timedelta(minutes=37 * i, microseconds=rng.choice([0, rng.randrange(1_000_000)]))
              for i in range(2 * 365 * 24 * 60 // 37)]
    for day in (datetime(2026, 3, 8), datetime(2026, 3, 29), datetime(2026, 4, 5), datetime(2026, 10, 4),
                datetime(2026, 10, 25), datetime(2026, 11, 1)):
        values += [day + timedelta(minutes=m) for m in range(-60, 24 * 60 + 60)]
    return values


@pytest.mark.parametrize("zone", ZONES)
def test_every_timestamp_is_written_as_drf_writes_it(zone: str, settings) -> None:  # type: ignore[no-untyped-def]
    # given the request's zone
    settings.TIME_ZONE = zone
    with timezone.override(ZoneInfo(zone)):
        fast = moment_text(utc_wall_clock=True)
        drf = DateTimeField()
        # when the list writes UTC wall-clock readings, then each is DRF's text of the moment
        for value in _moments():
            assert fast(value) == drf.to_representation(value.replace(tzinfo=UTC)), (zone, value)
        # and a missing value stays missing, an aware one is converted as it is
        assert fast(None) is None
        aware = datetime(2026, 7, 1, 12, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
        assert fast(aware) == drf.to_representation(aware)
