"""Throttles at their real rates: the token log-in per address, the anonymous rate, and the client
address taken from X-Forwarded-For only through the configured number of proxies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def rates(settings):  # type: ignore[no-untyped-def]
    """Low, real rates (the test settings raise them out of the way) and an empty cache."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "user": "100000/min", "token_login": "3/min"},
        "NUM_PROXIES": 0,
    }
    cache.clear()
    yield settings
    cache.clear()


def _log_in(client: APIClient, **headers: str) -> int:
    response = client.post(TOKEN_URL, {"username": "nobody", "password": "wrong-password"}, format="json",
                           **headers)
    return response.status_code


def test_token_log_ins_are_throttled_per_address_at_their_own_rate(db, rates):
    client = APIClient(REMOTE_ADDR="10.0.0.1")

    answers = [_log_in(client) for _ in range(4)]

    assert answers == [400, 400, 400, 429]


def test_the_throttled_token_log_in_says_so_in_json(db, rates):
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        _log_in(client)

    response = client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_another_address_has_its_own_token_log_in_bucket(db, rates):
    for _ in range(3):
        _log_in(APIClient(REMOTE_ADDR="10.0.0.1"))

    assert _log_in(APIClient(REMOTE_ADDR="10.0.0.1")) == 429
    assert _log_in(APIClient(REMOTE_ADDR="10.0.0.2")) == 400


def test_a_correct_password_does_not_escape_the_token_log_in_throttle(db, rates):
    User.objects.create_user("zhangsan", password="Correct-Horse-42")
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        _log_in(client)

    response = client.post(TOKEN_URL, {"username": "zhangsan", "password": "Correct-Horse-42"}, format="json")

    assert response.status_code == 429


def test_a_forged_forwarded_for_does_not_escape_the_token_log_in_throttle(db, rates):
    client = APIClient(REMOTE_ADDR="10.0.0.1")

    answers = [_log_in(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(4)]

    assert answers == [400, 400, 400, 429]


def test_a_forged_forwarded_for_does_not_escape_the_anonymous_throttle(db, rates):
    """The schema is open to everyone: only the anonymous rate stands in front of it."""
    rates.REST_FRAMEWORK = {**rates.REST_FRAMEWORK,
                            "DEFAULT_THROTTLE_RATES": {**rates.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}}
    client = APIClient(REMOTE_ADDR="10.0.0.1")

    answers = [client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]

    assert answers == [200, 200, 429]


def test_behind_one_proxy_the_address_it_wrote_is_the_client(db, rates):
    rates.REST_FRAMEWORK = {**rates.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.254")
    for _ in range(3):
        # Whatever the client puts first, the proxy appends the address it saw.
        _log_in(proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7")

    assert _log_in(proxy, HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.7") == 429
    assert _log_in(proxy, HTTP_X_FORWARDED_FOR="198.51.100.8") == 400


def test_num_proxies_follows_the_axes_proxy_count_by_default():
    from portal.settings import base

    assert base.REST_FRAMEWORK["NUM_PROXIES"] == base.AXES_IPWARE_PROXY_COUNT == 0
