"""Work done once per process before it serves, so that no user's request pays for it.

A freshly started worker used to answer its first dashboard in 1–1.7 s (ten times a warm one):
it imported the views the URLconf names lazily, compiled the templates, loaded the translation
catalogues, the static files' manifest and the date formats, and opened its connections.

Two steps, because of gunicorn's fork (portal/gunicorn.py):
- `warm_up()` needs no database and no cache: it runs once in the master before the workers are
  forked (preload_app), which then share what it built. It closes every database connection
  on its way out, so none is inherited across the fork.
- `warm_worker()` runs in each worker after the fork: it opens that worker's own database and
  cache connections and loads the word segmenter (its dictionary reads the township's place
  names from the database).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

# The apps' modules a request imports on first use (views import some lazily, the dashboard
# imports its panel modules by name).
APPS = ("core", "cadres", "supervision", "bulletins", "portal")
MODULES = ("views", "selectors", "services", "dashboard", "forms", "api", "reports")


def warm_up() -> float:
    """Import, compile and load what every page needs; no database, no cache. Returns seconds."""
    from django.db import connections

    started = time.perf_counter()
    try:
        _imports()
        _urls()
        _templates()
        _languages()
    finally:
        # Nothing above queries, but a connection opened by accident must not cross the fork.
        connections.close_all()
    seconds = time.perf_counter() - started
    log.info("warm-up: %.2f s", seconds)
    return seconds


def warm_worker() -> None:
    """In a worker, after the fork: its own connections, and the segmenter for search."""
    from django.core.cache import cache
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError:  # the database may come later; the first request will connect then
        log.warning("warm-up: no database yet", exc_info=True)
    try:
        cache.get("warm-up")
    except Exception:  # the cache backend's own error types vary; a missing cache is not fatal here
        log.warning("warm-up: no cache yet", exc_info=True)
    from core import segment

    segment.words("民情日记预热")


def _imports() -> None:
    from django.core.cache import caches

    from portal.dashboard import COUNTY_PANEL_MODULES, PANEL_MODULES

    # A throwaway cache backend imports its client library (redis: 0.25 s); it connects only on
    # first use, which is in the worker.
    caches.create_connection("default")

    names = [f"{app}.{module}" for app in APPS for module in MODULES]
    for name in [*names, *PANEL_MODULES, *COUNTY_PANEL_MODULES]:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _urls() -> None:
    from django.urls import get_resolver, reverse

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports the URLconf and every view it names)
    # Both lookups are built lazily on first use, per language (i18n patterns) and per resolver.
    resolver.reverse_dict  # noqa: B018
    reverse("dashboard")


def _templates() -> None:
    """Compile every project template into the cached loader (DEBUG off): one parse per process."""
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines

    for engine in engines.all():
        dirs = [Path(d) for d in engine.dirs] if hasattr(engine, "dirs") else []
        for directory in dirs or [Path(settings.BASE_DIR) / "templates"]:
            for path in sorted(directory.rglob("*.html")):
                name = path.relative_to(directory).as_posix()
                try:
                    engine.get_template(name)
                except TemplateSyntaxError:  # reported when the page is used, as before
                    log.warning("warm-up: template %s does not compile", name, exc_info=True)


def _languages() -> None:
    """Load each language's catalogue and formats, and render the page chrome once in each."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation
    from django.utils.formats import get_format

    request = RequestFactory().get("/")  # anonymous: rendering it reads no row
    request.user = AnonymousUser()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("首页")
            for fmt in ("DATE_FORMAT", "MONTH_DAY_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"):
                get_format(fmt)
            try:
                staticfiles_storage.url("css/portal.css")
                render_to_string("portal/dashboard.html", {"panels": []}, request=request)
            except ValueError:  # no manifest (collectstatic not run): development
                log.info("warm-up: static files not collected; the chrome is rendered on first use")
