"""Two deployments sharing one Redis never read each other's cache: every key carries a prefix of
the deployment (CACHE_KEY_PREFIX, else derived from its database)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from portal.settings.base import cache_key_prefix

ROOT = Path(__file__).resolve().parents[2]


def _settings_prefix(**env: str) -> tuple[str, str]:
    """KEY_PREFIX of the cache as a fresh process loads portal.settings.base under `env`."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CACHE_KEY_PREFIX", "DATABASE_URL")}
    environment.update(env)
    code = ("from portal.settings import base; "
            "print(base.CACHES['default']['KEY_PREFIX']); print(base.CACHES['default']['BACKEND'])")
    out = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    prefix, backend = out.stdout.split()
    return prefix, backend


def test_two_deployments_with_different_databases_get_different_prefixes():
    staging = _settings_prefix(DATABASE_URL="postgres://portal@db.internal:5432/portal_staging",
                               REDIS_URL="redis://cache.internal:6379/0")
    production = _settings_prefix(DATABASE_URL="postgres://portal@db.internal:5432/portal",
                                  REDIS_URL="redis://cache.internal:6379/0")

    assert staging[1] == production[1] == "django_redis.cache.RedisCache"
    assert staging[0].startswith("portal-portal_staging-")
    assert production[0].startswith("portal-portal-")
    assert staging[0] != production[0]


def test_the_same_database_name_on_another_server_is_another_deployment():
    one = cache_key_prefix({"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "HOST": "db1", "PORT": 5432})
    two = cache_key_prefix({"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "HOST": "db2", "PORT": 5432})
    again = cache_key_prefix({"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "HOST": "db1",
                              "PORT": 5432})

    assert one != two
    assert one == again


def test_cache_key_prefix_from_the_environment_wins():
    prefix, _ = _settings_prefix(DATABASE_URL="postgres://portal@db.internal:5432/portal", CACHE_KEY_PREFIX="prod-a")

    assert prefix == "prod-a"


def test_without_redis_the_file_cache_is_prefixed_too():
    prefix, backend = _settings_prefix(DATABASE_URL="postgres://portal@db.internal:5432/portal", REDIS_URL="")

    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert prefix.startswith("portal-portal-")


@pytest.mark.redis
def test_a_key_written_by_one_deployment_is_not_read_by_another():
    from django_redis.cache import RedisCache

    location = os.environ["REDIS_URL"]
    options = {"OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"}}
    staging = RedisCache(location, {**options, "KEY_PREFIX": cache_key_prefix({"NAME": "portal_staging"})})
    production = RedisCache(location, {**options, "KEY_PREFIX": cache_key_prefix({"NAME": "portal"})})
    key = f"dashboard-figures-{uuid.uuid4().hex}"
    try:
        staging.set(key, {"diaries": 12}, 60)

        assert production.get(key) is None
        assert staging.get(key) == {"diaries": 12}
    finally:
        staging.delete(key)
