"""The suite's clock: with PORTAL_TEST_NOW set, every test runs as if it were then (tests/conftest.py).

`make test` runs the date-sensitive tests again on a Saturday night in Beijing; this test fails if
that second pass would silently run on the machine's real date instead."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

IMPORTED_AT = timezone.now()  # as a test module's `TODAY = timezone.localdate()` reads it


def test_the_suite_clock_follows_portal_test_now(_suite_clock):  # type: ignore[no-untyped-def]
    moment = os.environ.get("PORTAL_TEST_NOW", "")
    if not moment:
        assert _suite_clock is None
        return
    wanted = dt.datetime.fromisoformat(moment)
    # The clock ticks on from the moment the session started, and it was already set when the
    # test modules were imported.
    assert wanted <= timezone.now() < wanted + dt.timedelta(hours=2)
    assert wanted <= IMPORTED_AT < wanted + dt.timedelta(hours=2)
