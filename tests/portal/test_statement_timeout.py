"""A web request's statement stops at STATEMENT_TIMEOUT_WEB and answers 503 with a message (portal.db)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from portal.db import apply_statement_timeout, statement_timeout_options
from tests import factories as f
from tests.helpers import api_client, page_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sleep(*_args: Any, **_kwargs: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(3)")
    raise AssertionError("the statement should have been cancelled")


@pytest.fixture
def short_timeout() -> Iterator[None]:
    apply_statement_timeout(0.3)
    yield
    apply_statement_timeout(0)


def test_options_keep_other_settings_and_replace_the_timeout() -> None:
    assert statement_timeout_options("-c jit=off", 10) == "-c jit=off -c statement_timeout=10000"
    assert statement_timeout_options("-c jit=off -c statement_timeout=10000", 1.5) == \
        "-c jit=off -c statement_timeout=1500"
    assert statement_timeout_options("-c statement_timeout=10000 -c jit=off", 0) == "-c jit=off"


def test_a_new_connection_carries_the_timeout(short_timeout: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "300ms"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"  # the settings' own options survive


def test_api_answers_503_with_a_chinese_message(short_timeout: None, monkeypatch: pytest.MonkeyPatch) -> None:
    reporter = f.UserFactory(groups=["reporter"])
    f.MembershipFactory(user=reporter, township=f.TownshipFactory())
    monkeypatch.setattr("supervision.api.reports.diaries.completeness", _sleep)
    response = api_client(reporter).get("/api/v1/reports/diary-completeness/?start=2026-10-01&end=2026-10-31")
    assert response.status_code == 503
    assert response.json()["code"] == "statement_timeout"
    assert "查询时间过长" in response.json()["detail"]
    # The connection is usable again for the next request.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_page_answers_503_with_a_page(short_timeout: None, monkeypatch: pytest.MonkeyPatch) -> None:
    user = f.UserFactory(groups=["reporter"])
    f.MembershipFactory(user=user, township=f.TownshipFactory())
    monkeypatch.setattr("portal.dashboard.dashboard_context", _sleep)
    response = page_client(user).get("/")
    assert response.status_code == 503
    assert "查询时间过长" in response.content.decode()
    assert response["Retry-After"] == "30"
