"""The page chrome (templates/base.html), rendered once per process and what it varies by, then
reused by every page.

`{% chrome %}`: the navigation, the offline strings and the language menu, which depend only on
the language (two dozen `{% url %}`, `{% static %}` and `{% translate %}` tags, ~1.5 ms of CPU
a page when rendered afresh).

`{% page_chrome %}`: everything around a page's content — the top bar with the user's menu, the
outbox and the footer with the language form (another ~1 ms a page). Each part is rendered once
per language, URL prefix, whether the user is logged in and whether they are an active cadre, with
markers where the per-request values go (the user's id and name, the unread badge, the CSRF
field, the current path); a page joins the pieces with those values, escaped as the template
would have escaped them. tests/portal/test_page_chrome.py compares the result with the template
base.html used to be, byte for byte.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# (part, language, URL prefix) → HTML; the page parts' pieces and the unread badges likewise.
# Cleared when a setting changes (tests override URLs, static files and languages); the deployed
# settings never change while a process runs.
_rendered: dict[tuple[str, str | None, str], SafeString] = {}
_pieces: dict[tuple[Any, ...], list[str]] = {}
_badges: dict[tuple[str | None, int], str] = {}
# Unread counts are small numbers; a bound keeps an unusual one from growing the dict for ever.
_BADGES_KEPT = 500

PARTS = {"head": "portal/chrome/_head.html", "nav": "portal/chrome/_nav.html",
         "offline": "portal/chrome/_offline.html", "languages": "portal/chrome/_languages.html"}
PAGE_PARTS = {"top": "portal/chrome/_top.html", "bottom": "portal/chrome/_bottom.html"}

# The per-request values of the page parts, as markers that no escaping changes.
SLOTS = ("user_pk", "user_name", "unread_badge", "csrf_input", "full_path")
_MARKER = re.compile("\ue000(\\w+)\ue001")
_csrf_input = CsrfTokenNode()


@register.simple_tag
def chrome(part: str) -> SafeString:
    key = (part, get_language(), get_script_prefix())
    html = _rendered.get(key)
    if html is None:
        # Rendered without a request or a user: a part that needed one would not belong here.
        html = _rendered[key] = mark_safe(render_to_string(PARTS[part], {"LANGUAGE_CODE": key[1]}).strip())  # noqa: S308
    return html


@register.simple_tag(takes_context=True)
def page_chrome(context: template.Context, part: str) -> SafeString:
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    cadre = None
    if authenticated:
        with contextlib.suppress(ObjectDoesNotExist):
            cadre = user.cadre  # type: ignore[union-attr]
    active_cadre = bool(cadre is not None and cadre.is_active)
    language = get_language()
    key = (part, language, get_script_prefix(), get_urlconf(), authenticated, active_cadre)
    pieces = _pieces.get(key)
    if pieces is None:
        markers = {slot: f"\ue000{slot}\ue001" for slot in SLOTS}
        html = render_to_string(PAGE_PARTS[part], {**markers, "authenticated": authenticated,
                                                   "active_cadre": active_cadre, "LANGUAGE_CODE": language})
        # The part's file ends with a newline; base.html has its own after the tag.
        pieces = _pieces[key] = _MARKER.split(html.removesuffix("\n"))
    # Literal HTML at even places, a slot's name at odd ones.
    return mark_safe("".join([piece if i % 2 == 0 else _value(piece, context, user, cadre)  # noqa: S308
                              for i, piece in enumerate(pieces)]))


def _value(slot: str, context: template.Context, user: Any, cadre: Any) -> str:
    """A slot's value, as base.html's tags rendered it."""
    if slot == "user_pk":
        return conditional_escape(user.pk)
    if slot == "user_name":  # `user.cadre.name|default:user.get_username`
        return conditional_escape((cadre.name if cadre is not None else None) or user.get_username())
    if slot == "unread_badge":
        return _unread_badge(context.get("unread_notifications"))
    if slot == "csrf_input":  # `{% csrf_token %}`: the same token all over the page (one lazy value)
        return _csrf_input.render(context)
    request = context.get("request")  # full_path
    return conditional_escape(request.get_full_path()) if request is not None else ""


def _unread_badge(unread: Any) -> str:
    if not unread:
        return ""
    key = (get_language(), unread)
    badge = _badges.get(key)
    if badge is None:
        if len(_badges) >= _BADGES_KEPT:
            _badges.clear()
        badge = _badges[key] = render_to_string("portal/chrome/_badge.html", {"unread_notifications": unread}).removesuffix("\n")
    return badge


def _forget(**kwargs: Any) -> None:
    _rendered.clear()
    _pieces.clear()
    _badges.clear()


setting_changed.connect(_forget)
