"""Suite-wide fixtures and the rule for tests that need real services.

A test marked `postgres`, `redis`, `worker` or `browser` skips with a clear reason on a laptop
without that service, and FAILS when CI=true: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI requires this service: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    markers = {m.name for m in item.iter_markers()}
    if markers & {"postgres", "worker"} and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if markers & {"redis", "worker"} and not redis_reachable():
        _missing("needs Redis: set REDIS_URL=redis://… to a running server")
    if "browser" in markers:
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            _missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
        try:
            import playwright  # noqa: F401
        except ImportError:
            _missing("needs the playwright package")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads of one test never leak into another (or into var/)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from tests.world import build_world

    return build_world()


def _rerun_data_migrations() -> None:
    """Re-create what the portal's data migrations create (role groups, holidays, defaults, beat
    schedules). A transactional test flushes every table at its end, data-migration rows
    included; the tests after it must still see a freshly migrated database."""
    import importlib

    from django.apps import apps as global_apps
    from django.db import migrations as dj_migrations
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label not in ("portal", "cadres", "supervision", "bulletins"):
            continue
        importlib.import_module(f"{app_label}.migrations.{name}")
        for operation in migration.operations:
            # Schema work done in Python (statistics objects) survives a flush: not re-run.
            if isinstance(operation, dj_migrations.RunPython) and not operation.hints.get("schema_only"):
                operation.code(global_apps, None)


@pytest.fixture(autouse=True)
def _data_migration_rows(request):  # type: ignore[no-untyped-def]
    names = set(request.fixturenames)
    if not names & {"db", "transactional_db", "live_server", "world"} and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="office").exists():
        _rerun_data_migrations()


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts in the default language: a request made in English by an earlier test
    leaves English active in the worker's thread, as the locale middleware does not reset it."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


_SUITE_CLOCK = None


def pytest_configure(config: pytest.Config) -> None:
    """PORTAL_TEST_NOW=2026-12-05T23:30:00+08:00 runs the suite as if it were then (the clock keeps
    ticking from there). `make test` runs the date-sensitive tests a second time on a Saturday night
    in Beijing, so a test that only passes on a workday, or before midnight, fails in CI whatever
    the day CI runs on. The clock is set here, before the test modules are collected, so a date a
    module reads at import (`TODAY = timezone.localdate()`) is the suite's date too. Tests that need
    a particular day freeze time themselves (time_machine)."""
    global _SUITE_CLOCK
    moment = os.environ.get("PORTAL_TEST_NOW", "")
    if moment and _SUITE_CLOCK is None:
        import datetime as dt

        import time_machine

        _SUITE_CLOCK = time_machine.travel(dt.datetime.fromisoformat(moment), tick=True)
        _SUITE_CLOCK.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _SUITE_CLOCK
    if _SUITE_CLOCK is not None:
        _SUITE_CLOCK.stop()
        _SUITE_CLOCK = None


@pytest.fixture(scope="session")
def _suite_clock():  # type: ignore[no-untyped-def]
    """The suite's time travel (None without PORTAL_TEST_NOW)."""
    return _SUITE_CLOCK


@pytest.fixture(autouse=True, scope="session")
def _segment_without_database():  # type: ignore[no-untyped-def]
    """The segmenter reads the township's words (village names …) from the database at its first
    cut. In the suite that first cut would land in whichever test happens to run first, and add
    its queries to that test's pinned count: the suite's segmenter has no database word source.
    A test that needs the village names in the dictionary uses the `place_words` fixture."""
    from core import segment

    saved = list(segment._sources)
    segment._sources.clear()
    segment.reset()
    yield
    segment._sources.extend(saved)
    segment.reset()


@pytest.fixture
def place_words(db):  # type: ignore[no-untyped-def]
    """The real word sources (cadres' place names) for one test; cut once before the test body."""
    from cadres.apps import place_words as source
    from core import segment

    segment._sources.append(source)
    segment.reset()
    yield segment
    segment._sources.remove(source)
    segment.reset()
