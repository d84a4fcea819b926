"""Fixtures of the portal's tests: the OpenAPI schema, and users who log in with a known password."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.helpers import api_client

PASSWORD = "Correct-Horse-42"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The OpenAPI schema as JSON, fetched once per module (the API convention and authorisation tests)."""
    with django_db_blocker.unblock():
        response = api_client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def user(db) -> User:  # type: ignore[no-untyped-def]
    """A plain user, zhangsan, who logs in with PASSWORD (the security and foundation tests)."""
    return User.objects.create_user("zhangsan", password=PASSWORD)


@pytest.fixture
def chief(db) -> User:  # type: ignore[no-untyped-def]
    """A superuser, chief, who logs in with PASSWORD."""
    return User.objects.create_superuser("chief", password=PASSWORD)
