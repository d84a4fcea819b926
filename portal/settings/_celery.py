"""Celery: the broker (Redis, or kombu's filesystem transport without it), task defaults, and the
queues tasks are routed to. Imported by base, which adds CELERY_TIMEZONE (the site's time zone)."""

from __future__ import annotations

from kombu import Queue

from portal.settings._env import VAR_DIR, env

# The same variable base reads for the cache; read here too so this module needs nothing of base.
_REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object]
if _REDIS_URL:
    CELERY_BROKER_URL = _REDIS_URL
    # Longer than the longest task's hard time limit, so a running task is never redelivered.
    # (Crash tests shorten it through CELERY_VISIBILITY_TIMEOUT so redelivery takes seconds.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)}
else:
    # Embedded broker for a laptop: kombu's filesystem transport in var/, so the worker and
    # beat really run without Redis.
    _broker_dir = VAR_DIR / "broker"
    # kombu's filesystem transport does not create its folders; a fresh clone has none.
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by kind, so a county's long compile never delays a reminder (docs/deployment.md).
# `celery worker` without -Q consumes every queue (make run); production runs a worker per group.
CELERY_TASK_DEFAULT_QUEUE = "interactive"
# Declared, so that a worker started without -Q consumes all four.
CELERY_TASK_QUEUES = [
    Queue("interactive"),  # notifications, the published bulletin's notices, pings: a person waits
    Queue("imports"),  # spreadsheet imports of people and households
    Queue("compile"),  # checks, the daily loop, bulletin compilations
    Queue("exports"),  # exports too big for a request, purges
]
CELERY_TASK_ROUTES = {
    "cadres.import_table": {"queue": "imports"},
    "supervision.daily": {"queue": "compile"},
    "supervision.disclosure_check": {"queue": "compile"},
    "supervision.disclosure_check_due": {"queue": "compile"},
    "bulletins.compile": {"queue": "compile"},
    "bulletins.compile_monthly": {"queue": "compile"},
    "supervision.export_*": {"queue": "exports"},
    "portal.purge_audit": {"queue": "exports"},
    # bulletins.notify_published, portal.ping and every task not named here: "interactive".
}
