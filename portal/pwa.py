"""The installable app: the web app manifest and the service worker, both at the site's root.

The service worker must be served from `/sw.js` (not /static/) for its scope to cover every page;
it is a template so its list of files to keep offline names the same hashed static files the
pages use, and its cache name changes whenever one of them does (a new deployment installs a new
worker, which drops the old caches). The offline diary outbox itself is static/js/offline.js."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

# The app shell: what every page needs, kept by the worker so pages open without a network.
SHELL_FILES = (
    "css/portal.css", "js/portal.js", "js/offline.js", "js/diary.js",
    "img/favicon.svg", "img/icons/icon-192.png", "img/icons/icon-512.png",
)


@require_GET
@cache_control(max_age=86400)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("作风监督"),
        "short_name": _("作风监督"),
        "description": _("干部作风建设监督平台：离线也能写民情日记"),
        "lang": "zh-CN",
        "id": "/",
        "start_url": reverse("dashboard"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("img/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/icons/icon-512-maskable.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(name) for name in SHELL_FILES]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    context = {
        "shell": mark_safe(json.dumps(shell)),  # noqa: S308 (static URLs, made here)
        "version": version,
        # The page shown for a page never opened online (makemessages reads .py, not this .js).
        "offline_title": _("没有网络"),
        "offline_text": _("这个页面还没有保存在本机。联网后再打开；写民情日记的页面在离线时也能打开。"),
        "offline_link": _("写民情日记"),
    }
    body = render_to_string("portal/sw.js", context, request=request)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check /sw.js for a new version on each visit; nothing in between may keep it.
    response["Service-Worker-Allowed"] = "/"
    return response
