"""What gunicorn's master builds before it forks the workers (portal.warmup, portal/gunicorn.py):
a fresh worker's first page finds it built, and nothing of it touches the database."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connections
from django.db.models import ForeignObject
from django.utils.functional import SimpleLazyObject, empty

from portal.warmup import warm_up


def test_warm_up_compiles_the_lazily_compiled_expressions():
    warm_up()
    lazy = [
        value for module in list(sys.modules.values()) for value in list(getattr(module, "__dict__", {}).values())
        if isinstance(value, SimpleLazyObject) and "_lazy_re_compile" in getattr(
            value.__dict__.get("_setupfunc"), "__qualname__", "")
    ]
    assert lazy  # e.g. django.http.request.host_validation_re
    assert all(value._wrapped is not empty for value in lazy)


def test_warm_up_fills_the_models_caches():
    warm_up()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            assert "cached_col" in field.__dict__, field
            if isinstance(field, ForeignObject):
                assert "path_infos" in field.__dict__ and "related_fields" in field.__dict__, field


@pytest.mark.django_db
def test_first_dashboard_after_warm_up_compiles_no_expression_and_imports_no_module(client, world, monkeypatch):
    """`re`'s cache is emptied first, so what the page finds compiled is what warm_up compiled."""
    # The test's transaction must outlive warm_up, which closes the connections before the fork.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    re.purge()
    warm_up()
    client.force_login(world.secretary.user)
    client.handler.load_middleware()  # gunicorn's handler loads it with the application, in the master
    modules, compiled = set(sys.modules), set(re._cache)  # type: ignore[attr-defined]
    assert client.get("/").status_code == 200
    assert set(sys.modules) - modules == set()
    new = {key[1] for key in set(re._cache) - compiled}  # type: ignore[attr-defined]
    assert new <= {"^/"}, new  # the script prefix's own pattern


def test_gunicorn_master_freezes_what_it_built_before_forking():
    """A worker's full collection then walks none of the objects it shares with the master (a
    fresh worker's first one took ~165 ms and copied ~60 MB at 1m without it)."""
    import gc
    from types import SimpleNamespace

    from portal import gunicorn

    logged: list[str] = []
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True),
                             log=SimpleNamespace(info=lambda msg, *args: logged.append(msg % args)))
    gc.unfreeze()
    try:
        gunicorn.when_ready(server)
        frozen = gc.get_freeze_count()
        assert frozen > 1000 and logged
        later = [[] for _ in range(10)]  # what the master allocates afterwards (a reload's configuration)
        gunicorn.pre_fork(server, worker=None)
        assert gc.get_freeze_count() >= frozen + len(later)
    finally:
        gc.unfreeze()


@contextmanager
def keeping_the_test_connection() -> Iterator[None]:
    """The warm-up's requests go through a WSGI handler, whose request_started/finished signals
    would close the test's connection and its transaction (Django's test client disconnects them
    for each of its requests the same way, and connects them again after it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _writes(captured) -> list[str]:  # type: ignore[no-untyped-def]
    return [q["sql"] for q in captured.captured_queries
            if (q["sql"] or "").lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


@pytest.mark.django_db
def test_a_worker_visits_a_leader_s_dashboard_signed_in_before_it_serves_and_leaves_no_session(world):
    # given a worker just forked: its connection has prepared nothing yet
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.models import AuditEvent
    from portal.warmup import first_dashboard

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared() if connection.vendor == "postgresql" else 0
    sessions, events = Session.objects.count(), AuditEvent.objects.count()
    last_login = User.objects.get(pk=world.secretary.user.pk).last_login
    # when it warms up
    with CaptureQueriesContext(connection) as captured, keeping_the_test_connection():
        status = first_dashboard()
    # then the party secretary's dashboard answered through the whole stack, signed in (not the
    # log-in page's redirect), its statements prepared on this connection for the first request
    assert status == 200
    tables = " ".join(captured.captured_queries[i]["sql"] for i in range(len(captured.captured_queries)))
    assert "supervision_diary" in tables  # the panels ran
    if connection.vendor == "postgresql":
        assert prepared() > before
    # and the only rows written were its own session's, deleted after the visit: no session is
    # left, no log-in recorded
    assert Session.objects.count() == sessions
    assert AuditEvent.objects.count() == events
    assert User.objects.get(pk=world.secretary.user.pk).last_login == last_login
    assert all("django_session" in sql for sql in _writes(captured)), _writes(captured)
    assert any(sql.lstrip().upper().startswith("DELETE") for sql in _writes(captured))


@pytest.mark.django_db
def test_a_worker_s_warm_up_computes_the_panels_even_when_they_are_cached_and_leaves_the_cache_alone(
        world, settings, monkeypatch):
    # given the party secretary's panels cached by an earlier visit (the old workers, before a deploy)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.warmup import first_dashboard
    from tests.helpers import page_client

    settings.DASHBOARD_FIGURES_SECONDS = 600
    cache.clear()
    client = page_client(world.secretary.user)
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/").status_code == 200
    assert len(warm) < len(cold)  # the second visit read its panels from the cache
    written: list[str] = []
    for name in ("set", "set_many"):
        original = getattr(cache, name)

        def recording(*args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            written.extend(args[0] if isinstance(args[0], dict) else [args[0]])
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, recording)
    # when a new worker warms up
    with CaptureQueriesContext(connection) as warming, keeping_the_test_connection():
        assert first_dashboard() == 200
    # then it ran the panels' statements as a cold page does (the panels' code runs in the worker
    # before its first request), and wrote no panel to the cache
    assert len(warming) > len(warm) + 3, (len(warming), len(warm), len(cold))
    assert not [key for key in written if "dashboard:" in key], written


@pytest.mark.django_db
def test_a_worker_with_no_leader_or_a_failing_page_still_starts_and_leaves_no_session(world, monkeypatch, caplog):
    # given no party secretary yet (a new installation), then a dashboard that fails
    from django.contrib.sessions.models import Session

    from cadres.models import Cadre
    from portal import dashboard
    from portal.warmup import first_dashboard

    Cadre.objects.filter(post="party_secretary").update(is_active=False)
    with keeping_the_test_connection():
        assert first_dashboard() is None  # nothing to render: no error
    Cadre.objects.filter(post="party_secretary").update(is_active=True)

    def broken(user):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(dashboard, "dashboard_context", broken)
    sessions = Session.objects.count()
    # when warming up, then the failure is logged, its session is gone and the worker goes on
    with keeping_the_test_connection():
        assert first_dashboard() == 500
    assert "the first dashboard answered 500" in caplog.text
    assert Session.objects.count() == sessions


@pytest.mark.django_db
def test_a_worker_sends_an_anonymous_visit_and_the_log_in_page_through_its_application_writing_nothing(
        world):
    # given a worker just forked
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.warmup import first_requests

    sessions = Session.objects.count()
    # when it warms up (the test's transaction kept open, as Django's test client keeps it)
    with CaptureQueriesContext(connection) as captured, keeping_the_test_connection():
        statuses = first_requests()
    # then the home page sent it to the log-in page, which answered, and nothing was written
    assert statuses == [302, 200]
    assert Session.objects.count() == sessions
    assert _writes(captured) == []


@pytest.mark.django_db
def test_gunicorn_s_worker_warms_up_through_the_application_it_serves(world):
    # given a worker whose application records the paths it is sent, and with which cookie
    from types import SimpleNamespace

    from django.contrib.sessions.models import Session
    from django.core.handlers.wsgi import WSGIHandler

    from portal import gunicorn

    handler, sent = WSGIHandler(), []

    def application(environ, start_response):  # type: ignore[no-untyped-def]
        sent.append((environ["PATH_INFO"], "sessionid=" in environ.get("HTTP_COOKIE", "")))
        return handler(environ, start_response)

    sessions = Session.objects.count()
    # when gunicorn has loaded it in the worker
    with keeping_the_test_connection():
        gunicorn.post_worker_init(SimpleNamespace(cfg=SimpleNamespace(preload_app=True), wsgi=application))
    # then the warm-up's requests went through that very application: anonymous, then signed in
    assert sent == [("/", False), ("/accounts/login/", False), ("/", True)]
    assert Session.objects.count() == sessions
