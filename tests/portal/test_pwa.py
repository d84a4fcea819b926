"""The installable app's two root files: the manifest and the service worker."""

from __future__ import annotations

import json
import re

from django.test import Client

from tests.helpers import assert_num_queries, page_client


def test_the_manifest_names_the_portal_and_its_own_icons():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "作风监督", "/", "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/img/icons/")  # same origin, served by the portal


def test_the_service_worker_is_served_at_the_root_uncached_with_a_root_scope(db):
    with assert_num_queries(0):
        response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))  # type: ignore[union-attr]
    assert "/static/js/offline.js" in shell and "/static/css/portal.css" in shell
    # every file of the app shell exists (one missing file would stop the worker from installing)
    from django.contrib.staticfiles import finders
    for url in shell:
        assert finders.find(url.removeprefix("/static/")), url
    assert "/api/" in body  # never keeps API answers or log-in pages


def test_the_root_files_answer_only_reads():
    assert Client().post("/sw.js").status_code == 405
    assert Client().post("/manifest.webmanifest").status_code == 405


def test_a_signed_in_cadre_s_pages_link_the_manifest_and_name_their_offline_pages(world):
    page = page_client(world.cadre1.user).get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-user="{world.cadre1.user.pk}" data-offline-pages="/diaries/new/"' in page
    assert "data-outbox-badge hidden" in page
    assert "已保存在本机，联网后自动上传" in page


def test_a_user_who_writes_no_diary_has_no_offline_pages(world):
    page = page_client(world.reporter_user).get("/").content.decode()
    assert f'data-user="{world.reporter_user.pk}"' in page
    assert "data-offline-pages" not in page


def test_the_login_page_names_no_user():
    page = Client().get("/accounts/login/").content.decode()
    assert "data-user" not in page and "data-offline-strings" not in page
    assert '<link rel="manifest"' in page
