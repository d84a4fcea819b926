"""The foundation: health, log-in, language, headers, tokens and JSON errors."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import AccessToken, AuditEvent
from tests.helpers import api_client
from tests.portal.conftest import PASSWORD


@pytest.fixture
def api() -> APIClient:
    return api_client()


def test_healthz_answers_ok_when_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_with_reason_when_database_fails(client, db, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):  # type: ignore[no-untyped-def]
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert "connection refused" in response.json()["reason"]


def test_dashboard_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_in_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_login_then_dashboard_then_logout(client, user):
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(kind="login", username="zhangsan").count() == 1
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_chinese_error_and_is_audited(client, user):
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(kind="login_failed", username="zhangsan").exists()


def test_language_switch_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert client.get("/accounts/login/")["Content-Language"] == "zh-hans"


def test_security_headers_and_strict_csp(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_no_asset_from_the_internet(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "http://" not in html.replace("http://127.0.0.1", "")
    assert "https://" not in html


def test_token_life_cycle_issue_use_revoke(api, user):
    response = api.post("/api/v1/auth/token/", {"username": "zhangsan", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert not AccessToken.objects.filter(digest=token).exists()  # stored hashed, never in clear

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == "zhangsan"

    assert api.post("/api/v1/auth/token/revoke/").status_code == 204
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert "撤销" in refused.json()["detail"]


def test_expired_token_is_refused(api, user):
    raw = AccessToken.generate()
    from portal.models import hash_secret

    AccessToken.objects.create(user=user, digest=hash_secret(raw), prefix=raw[:8],
                               expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_token_of_deactivated_user_is_refused(api, user):
    response = api.post("/api/v1/auth/token/", {"username": "zhangsan", "password": PASSWORD}, format="json")
    user.is_active = False
    user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").status_code == 401


def test_token_login_with_bad_password_is_a_json_400(api, user):
    response = api.post("/api/v1/auth/token/", {"username": "zhangsan", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码错误。", "code": "authentication_failed", "errors": {}}


def test_validation_errors_are_one_json_format(api, db):
    response = api.post("/api/v1/auth/token/", {"username": ""}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"detail", "code", "errors"}
    assert set(body["errors"]) == {"username", "password"}


def test_anonymous_api_request_is_refused_with_json(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]


def test_api_errors_follow_the_request_language(api, db):
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert "credentials" in response.json()["detail"].lower()


def test_unknown_api_url_is_a_json_404(user):
    response = api_client(user).get("/api/v1/no-such-thing/")
    assert response.status_code == 404


def test_schema_and_docs_are_readable_without_login(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "https://" not in docs.content.decode()


def test_schema_is_valid_openapi_3(client, db):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/?format=json")
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)


def _settings_probe(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL",
                                                             "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG, settings.CELERY_BROKER_URL)"],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env}, capture_output=True, text=True, timeout=60,
    )


def test_development_settings_default_to_sqlite_and_embedded_broker():
    result = _settings_probe("portal.settings", {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "filesystem://"]


def test_development_settings_use_postgres_and_redis_when_given():
    result = _settings_probe("portal.settings", {"DATABASE_URL": "postgres://u@db:5432/p",
                                                 "REDIS_URL": "redis://cache:6379/0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "True", "redis://cache:6379/0"]


def test_production_settings_refuse_to_start_without_environment():
    result = _settings_probe("portal.settings.production", {"SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and "DATABASE_URL" in result.stderr and "REDIS_URL" in result.stderr


def test_production_settings_pass_the_deploy_check():
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' process; production never has it.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "k3y-" + "x9Z!q" * 12,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "DATABASE_URL": env.get("DATABASE_URL") or "sqlite:////tmp/deploy-check.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_stay_chinese_for_an_english_browser_until_english_is_chosen(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Content-Language"] == "en"
