"""What gunicorn's master builds before it forks the workers (portal.warmup, portal/gunicorn.py):
a fresh worker's first page finds it built, and nothing of it touches the database."""

from __future__ import annotations

import re
import sys

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


@pytest.fixture
def wsgi_application(monkeypatch):
    """The handler gunicorn serves with, without importing portal.wsgi (which closes the connections
    to set the web's statement timeout); its end-of-request signal must not close the test's
    transaction either (django.test.Client does the same)."""
    from types import SimpleNamespace

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    monkeypatch.setitem(sys.modules, "portal.wsgi", SimpleNamespace(application=WSGIHandler()))
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_worker_rehearsal_reads_and_writes_nothing(world, wsgi_application, caplog):
    """Anonymous GETs and a row per model: no session, no cache entry, no row written."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.warmup import rehearse

    keys = set(cache._cache)  # type: ignore[attr-defined]  # the tests' LocMemCache
    sessions = Session.objects.count()
    with caplog.at_level("INFO", logger="portal.warmup"), CaptureQueriesContext(connection) as queries:
        rehearse()
    assert [r.message for r in caplog.records if r.levelname != "INFO"] == []  # every page answered 200 or 302
    assert len(queries) > 10  # the health check and a row of each model
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert set(cache._cache) == keys  # type: ignore[attr-defined]
    assert Session.objects.count() == sessions


@pytest.mark.django_db
def test_a_failing_rehearsal_is_logged_and_the_worker_serves(wsgi_application, caplog, monkeypatch):
    from portal import warmup

    def broken() -> None:
        raise RuntimeError("template missing")

    monkeypatch.setattr(warmup, "_requests", broken)
    with caplog.at_level("WARNING", logger="portal.warmup"):
        warmup.warm_worker()  # does not raise
    assert any("rehearsal failed" in r.message and r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_a_rehearsed_page_that_does_not_answer_is_logged(wsgi_application, caplog, monkeypatch):
    from portal import warmup

    monkeypatch.setattr(warmup, "REHEARSED", ("/no-such-page/",))
    with caplog.at_level("WARNING", logger="portal.warmup"):
        warmup.rehearse()
    assert any("/no-such-page/" in r.getMessage() for r in caplog.records)
