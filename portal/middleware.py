"""Session limits: an idle timeout and an absolute lifetime (both configurable)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_STARTED = "portal_session_started"
_SEEN = "portal_session_seen"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get("_auth_user_id"):
            now = int(time.time())
            started = session.get(_STARTED, now)
            seen = session.get(_SEEN, now)
            if now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
            else:
                session.setdefault(_STARTED, started)
                # Refresh the idle clock at most once a minute, so reads stay reads.
                if now - seen >= 60 or _SEEN not in session:
                    session[_SEEN] = now
        return self.get_response(request)


class PortalLocaleMiddleware:
    """Pages speak Chinese unless the user picked another language with the switcher (a cookie);
    a phone or browser set to English does not change that (DESIGN.md §2: Chinese first).
    API clients choose with Accept-Language, as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.middleware.locale import LocaleMiddleware

        self.get_response = get_response
        self.api = LocaleMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        if request.path.startswith("/api/"):
            return self.api(request)  # type: ignore[return-value]
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
