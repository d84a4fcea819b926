"""Request rates (DESIGN.md §6): anonymous 60/min, people 3000/min, each API key its own rate.

An API key's principal has no primary key, so DRF's UserRateThrottle would put every key in one
shared bucket; keys are counted by `ApiKeyRateThrottle` instead, per key, at the rate set on it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from .models import ApiKey

# Used only if a key's stored rate cannot be read (the admin validates it, but rows can be
# written by other means); a broken rate must not turn every request into a 500.
FALLBACK_KEY_RATE = "600/min"


class UserRateThrottle(throttling.UserRateThrottle):
    """Signed-in people, by user id. API keys are not counted here."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            return None
        return super().get_cache_key(request, view)


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Each API key at the rate stored on it (`ApiKey.rate`, e.g. "600/min")."""

    scope = "api_key"

    def __init__(self) -> None:
        # The rate is per key, known only once the request is authenticated (allow_request).
        self.rate: str | None = None
        self.num_requests: int | None = None
        self.duration: int | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        try:
            self.num_requests, self.duration = self.parse_rate(key.rate)
            self.rate = key.rate
        except (ValueError, KeyError, IndexError):
            self.rate = FALLBACK_KEY_RATE
            self.num_requests, self.duration = self.parse_rate(FALLBACK_KEY_RATE)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
