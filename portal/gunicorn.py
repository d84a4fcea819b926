"""gunicorn's configuration, the same for production (Dockerfile, docker-compose.yml) and the
benchmark: `gunicorn portal.wsgi:application -c python:portal.gunicorn`.

Environment: BIND (host:port) or PORT (default 8000, on every address); WEB_CONCURRENCY (workers,
default 3); GUNICORN_TIMEOUT (seconds, default 30 — gunicorn's own default, which production
has always run with); GUNICORN_PRELOAD=0 to load the application in each worker instead.

The application is loaded once in the master and warmed up there (portal.warmup.warm_up: imports,
URL resolvers, compiled templates, catalogues), so a worker started later — at boot, after a
crash, after `kill -HUP` or max_requests — forks ready; each worker then opens its own
connections (warm_worker) before it accepts a request. No database connection is open across the
fork: warm_up runs no query and closes every connection it might have. The master then freezes
its objects (gc.freeze) before forking, so the workers' garbage collections never traverse — and
copy-on-write — the memory they share with it. Note: with the
application preloaded, `kill -HUP` re-forks workers from the loaded code; deploying new code
needs a restart of the master (docker-compose does that: new container).
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def when_ready(server: Any) -> None:
    """Master, application loaded (preload), before the first fork."""
    if server.cfg.preload_app:
        from portal.warmup import warm_up

        server.log.info("warm-up in the master: %.2f s", warm_up())
        # What the master holds now lives as long as it: out of the collector's reach, so that no
        # worker's full collection walks (and copies, page by page) the objects it inherited.
        gc.collect()
        gc.freeze()


def pre_fork(server: Any, worker: Any) -> None:
    """Master, before each fork: what it allocated since (a reload's configuration) is frozen too."""
    if server.cfg.preload_app:
        gc.freeze()


def post_worker_init(worker: Any) -> None:
    """Worker, after the fork and the application's load, before it accepts a request."""
    from portal.warmup import warm_up, warm_worker

    if not worker.cfg.preload_app:
        warm_up()
    warm_worker(worker.wsgi)
