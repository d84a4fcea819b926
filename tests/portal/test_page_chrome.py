"""The page chrome (portal.templatetags.chrome `{% page_chrome %}`): base.html renders, byte for
byte, what it rendered as a plain template (tests/portal/reference_base.html, kept as it was), for
every role, a visitor, both languages, with and without unread notifications and messages, an
active, inactive or missing cadre record and a URL prefix; the per-request values are escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import engines
from django.urls import set_script_prefix
from django.utils import translation

from cadres.models import Cadre
from core.models import Notification
from portal.templatetags import chrome
from tests import factories as f

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).with_name("reference_base.html")
ROLES = ["secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "village1", "outsider"]


def _request(client, user, path="/notifications/"):  # type: ignore[no-untyped-def]
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.wsgi_request


def _both(request, **context):  # type: ignore[no-untyped-def]
    """(reference, base.html) rendered for the request; one CSRF token for both."""
    context.setdefault("csrf_token", "t0k3n")
    reference = engines["django"].from_string(REFERENCE.read_text())
    page = engines["django"].from_string('{% extends "base.html" %}')
    return reference.render(context, request), page.render(context, request)


@pytest.fixture(autouse=True)
def fresh_chrome():  # type: ignore[no-untyped-def]
    chrome._forget()
    yield
    chrome._forget()
    translation.activate("zh-hans")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_chrome_the_template_rendered(client, world, role, language):
    request = _request(client, getattr(world, role).user)
    translation.activate(language)
    for unread in (0, 1, 12, 0):  # the second 0 from the kept pieces
        reference, page = _both(request, unread_notifications=unread)
        assert page == reference


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_visitor_gets_the_chrome_the_template_rendered(client, world, language):
    request = _request(client, None, "/accounts/login/")
    translation.activate(language)
    reference, page = _both(request)
    assert page == reference
    assert "data-user" not in page and 'class="usermenu"' not in page and 'name="csrfmiddlewaretoken"' in page


def test_unread_badge_in_both_languages(client, world):
    request = _request(client, world.cadre1.user)
    for language, one, many in [("zh-hans", "1 条未读", "3 条未读"), ("en", "1 unread", "3 unread")]:
        translation.activate(language)
        assert f'<span class="visually-hidden"> {one}</span>' in _both(request, unread_notifications=1)[1]
        reference, page = _both(request, unread_notifications=3)
        assert page == reference
        assert f'<span class="badge" aria-hidden="true">3</span><span class="visually-hidden"> {many}</span>' in page


def test_messages_are_shown_as_before(client, world):
    request = _request(client, world.secretary.user)
    messages = [Message(constants.SUCCESS, "已保存 <b>"), Message(constants.ERROR, "失败")]
    reference, page = _both(request, messages=messages)
    assert page == reference
    assert '<li class="message success">已保存 &lt;b&gt;</li>' in page


def test_only_an_active_cadre_gets_the_offline_pages(client, world):
    active = _both(_request(client, world.cadre1.user))[1]
    Cadre.objects.filter(pk=world.cadre2.pk).update(is_active=False)
    request = _request(client, world.cadre2.user)
    reference, inactive = _both(request)
    assert inactive == reference
    assert 'data-offline-pages="/diaries/new/"' in active
    assert "data-offline-pages" not in inactive and '<span class="username">干部乙</span>' in inactive


def test_a_user_without_a_cadre_record_is_shown_by_username(client, world):
    request = _request(client, world.reporter_user)
    reference, page = _both(request)
    assert page == reference
    assert '<span class="username">reporter</span>' in page and "data-offline-pages" not in page


def test_a_cadre_without_a_name_is_shown_by_username(client, world):
    Cadre.objects.filter(pk=world.cadre3.pk).update(name="")
    reference, page = _both(_request(client, world.cadre3.user))
    assert page == reference and '<span class="username">cadre3</span>' in page


def test_names_and_paths_are_escaped(client, world):
    cadre = f.CadreFactory(township=world.township, name='<script>alert("x")</script>', user__username="x")
    request = _request(client, cadre.user, "/notifications/?q=\"'><script>&page=1")
    reference, page = _both(request)
    assert page == reference
    assert '<span class="username">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</span>' in page
    assert 'value="/notifications/?q=%22&#x27;%3E%3Cscript%3E&amp;page=1"' in page
    assert "<script>alert" not in page


def test_the_chrome_follows_the_url_prefix(client, world):
    request = _request(client, world.cadre1.user)
    plain = _both(request)[1]
    set_script_prefix("/portal/")
    try:
        reference, prefixed = _both(request)
    finally:
        set_script_prefix("/")
    assert prefixed == reference
    assert 'href="/diaries/new/#outbox"' in plain and 'href="/portal/diaries/new/#outbox"' in prefixed
    assert '<form action="/portal/i18n/setlang/" method="post" class="language-form">' in prefixed


def test_one_csrf_token_on_the_whole_page(client, world):
    client.force_login(world.cadre1.user)
    Notification.objects.create(recipient=world.cadre1.user, kind="test", title="未读")
    html = client.get("/notifications/").content.decode()
    tokens = {part.split('"', 1)[0] for part in html.split('name="csrfmiddlewaretoken" value="')[1:]}
    assert html.count('name="csrfmiddlewaretoken"') == 3  # the page's own form, log-out, language
    assert len(tokens) == 1
    assert '<span class="badge" aria-hidden="true">1</span>' in html
