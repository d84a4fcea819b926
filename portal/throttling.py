"""Request rates (docs/design.md §6): anonymous 60/min, people 3000/min, each API key its own rate,
token log-ins 20/min per address.

An API key's principal has no primary key, so DRF's UserRateThrottle would put every key in one
shared bucket; keys are counted by `ApiKeyRateThrottle` instead, per key, at the rate set on it.

An address is the client's: REMOTE_ADDR, or the entry of X-Forwarded-For that the last of
`NUM_PROXIES` trusted proxies wrote (REST_FRAMEWORK["NUM_PROXIES"], default 0: the header is
ignored, so a forged one cannot open a fresh bucket). Rates are read from the settings on each
request, not once at import.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling

from .models import ApiKey

# Used only if a key's stored rate cannot be read (the admin validates it, but rows can be
# written by other means); a broken rate must not turn every request into a 500.
FALLBACK_KEY_RATE = "600/min"


class _SettingsRate:
    """The rate of `scope` as the settings say now (DRF copies the rates once, at import)."""

    scope: str | None

    def get_rate(self) -> str | None:
        from rest_framework.settings import api_settings

        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        try:
            return rates[self.scope or ""]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}") from exc


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Anonymous requests, by client address."""


class TokenLoginThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Token log-ins (THROTTLE_TOKEN_LOGIN, 20 a minute) per client address, whoever they claim to be.

    Not DRF's ScopedRateThrottle: that one reads the scope from the view's `throttle_scope` and
    lets everything through without it."""

    scope = "token_login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
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
