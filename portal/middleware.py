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
    a phone or browser set to English does not change that (docs/design.md §2: Chinese first).
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


# --- the API's edges: bodies checked before any view, errors always JSON -----------------------------

# Deeper JSON than this is refused before it reaches a parser (Python's json module recurses and
# would end in RecursionError, a 500). No request of the API nests more than a few levels.
API_JSON_MAX_DEPTH = 64
_JSON_TYPES = ("application/json", "application/vnd.api+json")
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _json_depth(value: object) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def api_error(detail: str, code: str, status: int) -> HttpResponse:
    """An error in the API's one format ({"detail", "code", "errors"}), outside DRF."""
    from django.http import JsonResponse

    return JsonResponse({"detail": str(detail), "code": code, "errors": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class ApiEdgeMiddleware:
    """Under /api/ only: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413; a JSON write whose body
    is nested deeper than API_JSON_MAX_DEPTH, or is not an object, is a JSON 400; and an error answered
    outside DRF (an unknown address, a server error, a refused upload …) is turned into JSON.

    Placed after the locale middleware, so the messages speak the request's language; every view
    and middleware after it is covered, whatever parser a view declares."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refused = self._refuse(request)
        response = refused if refused is not None else self.get_response(request)
        return self._as_json(response)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        import json

        from django.template.defaultfilters import filesizeformat
        from django.utils.translation import gettext as _

        content_type = request.content_type or ""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Multipart file parts do not count towards the limit (uploads have their own, UPLOAD_MAX_BYTES).
        if limit is not None and length > limit and not content_type.startswith("multipart/"):
            return api_error(_("请求体过大：最大 %(size)s。") % {"size": filesizeformat(limit)},
                             "request_too_large", 413)
        if request.method not in _WRITES or content_type not in _JSON_TYPES or length == 0:
            return None
        try:
            data = json.loads(request.body)
        except RecursionError:
            data = None
            too_deep = True
        except ValueError:
            return None  # not JSON at all: the parser says so, as usual
        else:
            too_deep = _json_depth(data) > API_JSON_MAX_DEPTH
        if too_deep:
            return api_error(_("JSON 嵌套层数过多（最多 %(depth)s 层）。") % {"depth": API_JSON_MAX_DEPTH},
                             "parse_error", 400)
        if not isinstance(data, dict):
            return api_error(_("请求体必须是一个 JSON 对象（{…}）。"), "parse_error", 400)
        return None

    def _as_json(self, response: HttpResponse) -> HttpResponse:
        from django.utils.translation import gettext as _

        if response.status_code < 400 or "json" in response.get("Content-Type", ""):
            return response
        if self._is_api_error_body(response):
            # DRF's answer rendered by a file renderer (a PDF asked for, a 503 given): the body is
            # already the API's JSON error; only its Content-Type claimed to be the file.
            response["Content-Type"] = "application/json"
            return response
        messages = {
            400: (_("请求有误，无法处理。"), "bad_request"),
            403: (_("没有权限执行此操作。"), "permission_denied"),
            404: (_("接口地址不存在。"), "not_found"),
            405: (_("不支持该请求方法。"), "method_not_allowed"),
            413: (_("请求体过大。"), "request_too_large"),
        }
        if response.status_code >= 500:
            detail, code = _("服务器内部错误，请稍后再试或联系党政办。"), "server_error"
        else:
            detail, code = messages.get(response.status_code, (_("请求未能完成。"), "error"))
        converted = api_error(detail, code, response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Content-Language", "Vary"):
            if header in response:
                converted[header] = response[header]
        return converted

    @staticmethod
    def _is_api_error_body(response: HttpResponse) -> bool:
        import json

        if getattr(response, "streaming", False):
            return False
        try:
            body = json.loads(response.content)
        except ValueError:
            return False
        return isinstance(body, dict) and "detail" in body
