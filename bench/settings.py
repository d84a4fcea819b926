"""Settings for the benchmark server: production's behaviour, runnable on a developer's machine.

Production (`portal.settings.production`) refuses to start without REDIS_URL and TLS; the
benchmark serves plain HTTP on loopback, so this module takes `base` and applies production's
values that matter for speed (DEBUG off, persistent connections, manifest static files), plus
what a benchmark needs: the bare baseline view (`bench.urls`) and throttle rates high enough that
4 clients at full speed measure the work, not the 429s (the throttle itself still runs).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, DATABASES, MIDDLEWARE, REST_FRAMEWORK, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = env.str("SECRET_KEY", default="bench-only-secret-key-not-for-production-0123456789abcdef")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(BASE_DIR / "bench" / "out" / "media")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # type: ignore[dict-item]
        "anon": "1000000/min", "user": "1000000/min", "token_login": "1000000/min",
    },
}
# Each answer says what it cost the server (CPU, database wait, queries): bench.middleware.
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]
# Jobs are timed in-process by the runner; nothing is queued for a worker.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BENCH_LOG_LEVEL", "WARNING")},
}
