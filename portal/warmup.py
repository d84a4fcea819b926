"""Work done once per process before it serves, so that no user's request pays for it.

A freshly started worker used to answer its first dashboard in 1–1.7 s (ten times a warm one):
it imported the views the URLconf names lazily, compiled the templates, loaded the translation
catalogues, the static files' manifest and the date formats, and opened its connections. After
those, its first page still paid ~1.5× a warm worker's: Django fills more caches on first use —
the models' field maps and join paths, the regular expressions of every URL it reverses and of
its lazily compiled patterns (host, charset, date format), the messages and session modules —
and is built here too.

Two steps, because of gunicorn's fork (portal/gunicorn.py):
- `warm_up()` needs no database and no cache: it runs once in the master before the workers are
  forked (preload_app), which then share what it built. It closes every database connection
  on its way out, so none is inherited across the fork.
- `warm_worker()` runs in each worker after the fork: it opens that worker's own database and
  cache connections and completes the word segmenter: the master loaded jieba's dictionary
  (`segment.prepare()`), the worker adds the township's place names, read from the database.
  Loading the dictionary in each worker had kept new workers from accepting for ~1 s after a
  reload, which retires the old ones at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
        _models()
        _templates()
        _languages()
        _patterns()
        from core import segment

        segment.prepare()  # jieba's dictionary (~0.8 s a process): workers fork with it loaded
    finally:
        # Nothing above queries, but a connection opened by accident must not cross the fork.
        connections.close_all()
    seconds = time.perf_counter() - started
    log.info("warm-up: %.2f s", seconds)
    return seconds


def warm_worker(application: Callable[..., Any] | None = None) -> None:
    """In a worker, after the fork: its own connections, the segmenter for search, and a first
    pass through the pages (`application`: the WSGI application the worker serves)."""
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
    first_requests(application)
    first_dashboard(application)


def first_dashboard(application: Callable[..., Any] | None = None) -> int | None:
    """Send a party secretary's visit to the dashboard through the WSGI application this worker
    serves (gunicorn's, else a new Django handler), discard the page, and return its status.

    A just-forked worker's first dashboard still cost about twice a warm worker's (bench: CPU 43
    against 21 ms with the panels expired): its connection had prepared none of the page's
    statements (each planned on first use, core.sql.planned_once), and the first pass through
    the panels' code writes to the pages the worker shares with the master (copy-on-write). Done
    here, before the worker accepts a request, no user's request pays for it.

    The visit is signed in, as a user's is: the session read and its idle clock, the user, the
    second factor's and the password's checks, the messages and the page's rendering with its
    CSRF token run once here. Rendered alone, beside anonymous requests (first_requests), a
    fork experiment at 1m still found a fresh worker's first cold page 2–3 ms of CPU dearer than
    its next (14.6 ms against 12–13); with the signed-in visit, 13.5. Its session is made for the
    visit and deleted after it: nobody can use it, and no log-in is recorded (no last_login, no
    audit).

    Its shared panels are computed afresh whatever the cache holds (core.dashboard.computed_afresh:
    the cache is neither read nor written for them): after a deploy the old workers have cached
    that leader's panels, and a warm-up that read them ran none of the panels' code, which the
    first cold page then ran for the first time in the worker (a fork experiment: 22–35 ms of CPU
    against 17–19 for the next pages; computed afresh, 14–22 alike). Any error is logged, never
    raised: a worker that cannot warm up still serves."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from cadres.models import Post
    from core.dashboard import computed_afresh

    started = time.perf_counter()
    session = None
    try:
        user = (get_user_model().objects.filter(
            is_active=True, cadre__post=Post.PARTY_SECRETARY, cadre__is_active=True).order_by("pk").first())
        if user is None:  # a new installation: nobody to render for
            return None
        session = _session_of(user)
        with computed_afresh():
            status = _send(application, "/", cookie=f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    except Exception:  # a warm-up never stops a worker from serving
        log.warning("warm-up: the first dashboard failed", exc_info=True)
        return None
    finally:
        if session is not None:
            _forget(session)
    if status != 200:  # the handler answered an error page (its own log holds the traceback)
        log.warning("warm-up: the first dashboard answered %s", status)
    else:
        log.info("warm-up: a leader's dashboard in %.0f ms", (time.perf_counter() - started) * 1000)
    return status


def _session_of(user: Any) -> Any:
    """A new session signed in as `user`, saved: what django.contrib.auth.login() leaves in it,
    without login()'s signals (last_login, the audit of log-ins)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session


def _forget(session: Any) -> None:
    try:
        session.delete()
    except Exception:  # logged: the row expires with the session's age anyway
        log.warning("warm-up: its session could not be deleted", exc_info=True)


def _send(application: Callable[..., Any] | None, path: str, *, cookie: str = "") -> int:
    """GET `path` through `application` as HTTPS to an allowed host (production's redirect to
    HTTPS and its host check let it through), the body produced as for gunicorn; its status."""
    import io

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    application = application or WSGIHandler()
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h.lstrip(".") and h != "*"]
    statuses: list[int] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None, /) -> Callable[[bytes], object]:
        statuses.append(int(status.split()[0]))
        return lambda _data: None  # the legacy write(): Django never calls it

    environ = RequestFactory().get(path, secure=True, HTTP_HOST=hosts[0] if hosts else "localhost").environ
    environ["wsgi.input"] = io.BytesIO(b"")
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    response = application(environ, start_response)
    try:
        b"".join(response)
    finally:
        getattr(response, "close", lambda: None)()  # the request_finished signal, as gunicorn's
    return statuses[0]


def first_requests(application: Callable[..., Any] | None = None) -> list[int]:
    """Send an anonymous visit to the home page (answered by a redirect to the log-in page) and
    the log-in page through the WSGI application this worker serves, and return their statuses.

    Their pass through the middleware, the view and the response is the part of a first request
    that the signed-in visit (first_dashboard) does not run: the anonymous path and the log-in
    form. Neither writes: an anonymous visit saves no session."""
    from django.urls import reverse

    statuses: list[int] = []
    try:
        for path in ("/", reverse("login")):
            statuses.append(_send(application, path))
    except Exception:  # a warm-up never stops a worker from serving
        log.warning("warm-up: the first requests failed", exc_info=True)
    return statuses


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

    # What the middleware imports by name on each request (the first one imports it).
    from django.conf import settings
    from django.utils.module_loading import import_string

    importlib.import_module(settings.SESSION_ENGINE)
    for path in (settings.SESSION_SERIALIZER, settings.MESSAGE_STORAGE, *settings.AUTHENTICATION_BACKENDS):
        import_string(path)


def _urls() -> None:
    from django.urls import get_resolver, reverse

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports the URLconf and every view it names)
    # Both lookups are built lazily on first use, per language (i18n patterns) and per resolver.
    resolver.reverse_dict  # noqa: B018
    reverse("dashboard")


def _reversals() -> None:
    """reverse() matches each candidate URL with `re.search` on the pattern's text, which compiles
    it on first use into `re`'s module cache (shared by the forked workers): a page's links cost
    ~0.1 ms each the first time. Compiled for the current language's patterns, as reverse() does."""
    import re

    from django.urls import get_resolver, get_script_prefix

    prefix = re.escape(get_script_prefix())
    lookups = get_resolver().reverse_dict
    patterns = {pattern for key in lookups for _possibility, pattern, _defaults, _converters in lookups.getlist(key)}
    for pattern in sorted(patterns):
        re.compile(f"^{prefix}{pattern}")  # the exact text django.urls.resolvers builds


def _models() -> None:
    """The models' metadata the ORM builds on first use: field maps, columns, lookups, join paths.
    They are cached properties of Django's internals, so they are read by name."""
    from django.apps import apps
    from django.db.models import Field, ForeignObject, ForeignObjectRel, aggregates, expressions, lookups

    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        _read(opts, "managers_map", "default_manager", "fields_map", "_forward_fields_map", "related_objects")
        for field in opts.get_fields(include_hidden=True):
            if isinstance(field, Field | ForeignObjectRel):
                field.get_lookups()
            if field.concrete:
                _read(field, "cached_col")
            if isinstance(field, ForeignObject):
                _read(field, "path_infos", "reverse_path_infos", "related_fields", "foreign_related_fields")
            elif isinstance(field, ForeignObjectRel):
                _read(field, "path_infos")
        for attribute in vars(model).values():  # the reverse and many-to-many relations' managers
            if hasattr(type(attribute), "related_manager_cls"):
                _read(attribute, "related_manager_cls")
    # An expression's identity (its hash) binds its arguments to its constructor's signature,
    # cached per class (128 classes): the ORM's own expressions, lookups and aggregates.
    for module in (expressions, lookups, aggregates):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, expressions.Expression) and value.__module__ == module.__name__:
                _read(value, "_constructor_signature")


def _read(obj: object, *names: str) -> None:
    for name in names:
        getattr(obj, name)


def _patterns() -> None:
    """Compile the regular expressions the loaded modules compile on first use (Django's
    `_lazy_re_compile`: host validation, charsets, date formats …) and psycopg's array quoting."""
    import sys
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.utils.functional import SimpleLazyObject
    from psycopg.adapt import Transformer

    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if isinstance(value, SimpleLazyObject) and "_lazy_re_compile" in getattr(
                value.__dict__.get("_setupfunc"), "__qualname__", ""
            ):
                _read(value, "pattern")  # compiles it
    # A statement's parameters are written as literals by psycopg (client-side binding); the first
    # array of text builds its quoting expression.
    literal = Transformer().as_literal
    for value in (["a"], [1], "a", 1, 1.5, Decimal("1"), True, None, date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)):
        literal(value)


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
    from django.utils.timezone import get_default_timezone

    get_default_timezone()
    request = RequestFactory().get("/")  # anonymous: rendering it reads no row
    request.user = AnonymousUser()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("首页")
            word = "首页"  # a variable: not a message for makemessages
            translation.ngettext(word, word, 2)  # each function binds to the catalogue on first use
            translation.pgettext(word, word)
            _reversals()
            for fmt in ("DATE_FORMAT", "MONTH_DAY_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"):
                get_format(fmt)
            try:
                staticfiles_storage.url("css/portal.css")
                render_to_string("portal/dashboard.html", {"panels": []}, request=request)
            except ValueError:  # no manifest (collectstatic not run): development
                log.info("warm-up: static files not collected; the chrome is rendered on first use")
