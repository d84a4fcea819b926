"""Bad input at the edges (security issue #15): odd bodies, huge numbers, image bombs, oversized
requests, file formats, download names and tokens after a password change. Never a 500; under
/api/ every error is JSON."""

from __future__ import annotations

import datetime as dt
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from core.uploads import clean_upload
from portal.models import AccessToken, AuditEvent, hash_secret
from tests import factories as f

PASSWORD = "Correct-Horse-42"


def _api(user: User, *, language: str = "zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _token(user: User) -> str:
    raw = AccessToken.generate()
    AccessToken.objects.create(user=user, digest=hash_secret(raw), prefix=raw[:8],
                               expires_at=timezone.now() + timedelta(days=1))
    return raw


# --- 1. a body that is not a JSON object ---------------------------------------------------------------


@pytest.mark.parametrize("body", ["[null, null]", "[]", "42", '"text"', "null", "true"])
def test_a_write_whose_body_is_not_a_json_object_is_refused_with_400(world, body):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 3, 2))

    response = _api(world.cadre1.user).patch(f"/api/v1/diaries/{diary.pk}/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "请求体必须是一个 JSON 对象（{…}）。", "code": "parse_error", "errors": {}}


def test_a_list_body_is_refused_on_every_endpoint_in_english_too(world):
    response = _api(world.office.user, language="en").post(
        "/api/v1/matters/", "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body must be a JSON object ({…})."


# --- 2. deeply nested JSON -----------------------------------------------------------------------------


def test_deeply_nested_json_to_the_token_endpoint_is_a_400(db):
    response = APIClient().post("/api/v1/auth/token/", "[" * 50_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"] == "JSON 嵌套层数过多（最多 64 层）。"


def test_deeply_nested_but_well_formed_json_to_a_resource_is_a_400(world):
    body = '{"situation": ' + "[" * 100 + "]" * 100 + "}"

    response = _api(world.cadre1.user).post("/api/v1/diaries/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "JSON 嵌套层数过多（最多 64 层）。"


def test_json_nested_to_the_limit_is_parsed_as_usual(world):
    body = '{"situation": ' + "[" * 60 + "]" * 60 + "}"

    response = _api(world.cadre1.user).post("/api/v1/diaries/", body, content_type="application/json")

    # Parsed: the serializer answers about the fields, not the parser about the nesting.
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- 3. page numbers out of range ----------------------------------------------------------------------

STAFF_LISTS = ["/diaries/", "/matters/", "/households/", "/pledges/", "/disclosures/", "/inspections/",
               "/bulletins/", "/notifications/", "/disclosures/checks/"]


@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "abc", "1e400", "0"])
@pytest.mark.parametrize("url", STAFF_LISTS)
def test_staff_lists_never_fail_on_a_page_number(world, url, page):
    client = Client()
    client.force_login(world.office.user)

    response = client.get(url, {"page": page})

    assert response.status_code in (200, 404)


def test_a_page_beyond_any_table_is_a_404_page_on_the_diary_list(world):
    client = Client()
    client.force_login(world.office.user)

    response = client.get("/diaries/", {"page": "99999999999999999999"})

    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/diaries/", "/api/v1/matters/", "/api/v1/villages/", "/api/v1/cadres/",
                                 "/api/v1/pledges/", "/api/v1/bulletins/", "/api/v1/tombstones/?resource=diaries"])
@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=-1", "page=abc",
                                   "cursor=garbage", "cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ%3D%3D",
                                   "cursor=bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OSZwPTE%3D", "page_size=99999999999999999999"])
def test_api_lists_never_fail_on_a_page_or_cursor(world, url, query):
    separator = "&" if "?" in url else "?"

    response = _api(world.office.user).get(f"{url}{separator}{query}")

    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"].startswith("application/json")


# --- 4. image decompression bombs ------------------------------------------------------------------------


def _bomb(width: int = 20_000, height: int = 10_000) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile("炸弹.png", out.getvalue(), content_type="image/png")


def test_an_image_bomb_is_refused_before_it_is_decoded():
    upload = _bomb()
    assert upload.size < 100_000  # small on disk …

    with pytest.raises(ValidationError) as caught:
        clean_upload(upload, kinds=("image",))

    assert caught.value.code == "too_many_pixels"
    assert caught.value.messages == ["图片像素过多：最多 40,000,000 像素，请缩小后再上传。"]


def test_pillow_refuses_past_the_same_limit_wherever_it_opens_an_image(settings):
    import core.uploads  # noqa: F401  (sets the limit when imported)

    assert Image.MAX_IMAGE_PIXELS == settings.UPLOAD_MAX_PIXELS == 40_000_000


def test_an_image_bomb_under_pillows_hard_limit_is_refused_too():
    """12000×8400: Pillow alone would only warn and decode it (about 100 MB per copy)."""
    with pytest.raises(ValidationError) as caught:
        clean_upload(_bomb(12_000, 8_400), kinds=("image",))

    assert caught.value.code == "too_many_pixels"


def test_an_image_just_over_the_configured_pixel_limit_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000

    with pytest.raises(ValidationError) as caught:
        clean_upload(_bomb(1001, 1000), kinds=("image",))

    assert caught.value.code == "too_many_pixels"


def test_an_image_within_the_pixel_limit_is_accepted(settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000

    clean = clean_upload(_bomb(1000, 1000), kinds=("image",))

    assert clean.name == "炸弹.jpg"


# --- 5. a body too large ---------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_json_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"situation": "' + "x" * 2000 + '"}'

    response = _api(world.cadre1.user).post("/api/v1/diaries/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "请求体过大：最大 1000\xa0字节。", "code": "request_too_large", "errors": {}}


def test_a_json_body_over_the_limit_is_refused_before_authentication(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/", '{"username": "' + "x" * 2000 + '"}', content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response.json()["detail"] == "The request body is too large: at most 1000\xa0bytes."


def test_an_unknown_api_address_is_a_json_404(db):
    response = APIClient().get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "接口地址不存在。", "code": "not_found", "errors": {}}


def test_a_server_error_under_the_api_is_json(world, monkeypatch):
    from portal import api_views

    def broken(self, request):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views.MeView, "get", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world.office.user)

    response = client.get("/api/v1/me/")

    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误，请稍后再试或联系党政办。", "code": "server_error",
                               "errors": {}}


def test_a_session_write_without_its_csrf_token_is_a_json_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cadre1.user)

    response = client.post("/api/v1/diaries/", {"situation": "走访"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"].startswith("CSRF")


def test_a_method_the_api_does_not_have_is_a_json_405(world):
    response = _api(world.office.user).put("/api/v1/me/", {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_page_error_outside_the_api_stays_html(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- 6. ?format= wins over the Accept header -----------------------------------------------------------

REPORTS = ["/api/v1/reports/diary-completeness/", "/api/v1/reports/matters/", "/api/v1/reports/pledges/",
           "/api/v1/reports/disclosure/"]


@pytest.mark.parametrize("fmt, media_type", [
    ("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
@pytest.mark.parametrize("url", REPORTS)
def test_the_format_parameter_wins_over_accept_json_on_every_report(world, url, fmt, media_type):
    period = {"start": "2026-10-01", "end": "2026-10-31"}

    response = _api(world.office.user).get(url, {"format": fmt, **period}, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)


def test_without_a_format_parameter_the_accept_header_still_chooses(world):
    response = _api(world.office.user).get("/api/v1/reports/matters/", {"start": "2026-10-01", "end": "2026-10-31"},
                                           HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_an_unknown_format_is_a_json_404(world):
    response = _api(world.office.user).get("/api/v1/reports/matters/", {"format": "exe"},
                                           HTTP_ACCEPT="application/json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("fmt, media_type", [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_the_format_parameter_wins_over_accept_json_on_bulletin_downloads(world, fmt, media_type):
    from bulletins.models import Bulletin

    bulletin = Bulletin.objects.create(township=world.township, year=2026, status="draft",
                                       period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31))

    response = _api(world.office.user).get(f"/api/v1/bulletins/{bulletin.pk}/{fmt}/", {"format": fmt},
                                           HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)


def test_an_error_of_a_file_download_asked_by_format_is_json_with_its_message(world, monkeypatch):
    from bulletins.models import Bulletin

    bulletin = Bulletin.objects.create(township=world.township, year=2026, status="draft",
                                       period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31))
    monkeypatch.setattr("core.checks.cjk_font_available", lambda: False)

    response = _api(world.office.user).get(f"/api/v1/bulletins/{bulletin.pk}/pdf/", {"format": "pdf"})

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "没有安装中文字体" in response.json()["detail"]


# --- 7. download names -----------------------------------------------------------------------------------


def test_the_pledge_scan_download_names_a_chinese_file_by_rfc_6266(world):
    from supervision.models import Pledge

    pledge = Pledge.objects.create(township=world.township, year=2026, level="village", pledger_village=world.v1,
                                   superior=world.head, status="signed")
    pledge.scan.save("承诺书扫描.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), save=True)
    client = Client()
    client.force_login(world.office.user)

    response = client.get(f"/pledges/{pledge.pk}/scan/")

    assert response.status_code == 200
    name = pledge.scan.name.rsplit("/", 1)[-1]
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(name)}"
    response["Content-Disposition"].encode("latin-1")  # a header a browser can read


# --- 8. tokens end with a password change ----------------------------------------------------------------


@pytest.fixture
def person(db) -> User:
    return User.objects.create_user("zhangsan", password=PASSWORD)


def _works(raw: str) -> int:
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code


def test_set_password_and_save_revokes_every_token_of_the_user(person):
    raw, other = _token(person), _token(User.objects.create_user("lisi", password=PASSWORD))

    person.set_password("Another-Horse-43")
    person.save()

    assert _works(raw) == 401
    assert _works(other) == 200
    assert AccessToken.objects.get(digest=hash_secret(raw)).revoked_at is not None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_REVOKED)
    assert event.detail == {"reason": "password_changed", "tokens": 1}


def test_the_password_change_page_revokes_the_tokens(person):
    raw = _token(person)
    client = Client()
    client.force_login(person)

    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "Another-Horse-43", "new_password2": "Another-Horse-43"})

    assert response.status_code == 302
    assert _works(raw) == 401


def test_the_admin_set_password_form_revokes_the_tokens(person):
    raw = _token(person)

    form = SetPasswordForm(person, {"new_password1": "Another-Horse-43", "new_password2": "Another-Horse-43"})
    assert form.is_valid()
    form.save()

    assert _works(raw) == 401


def test_saving_a_user_without_changing_the_password_keeps_the_tokens(person):
    raw = _token(person)

    person.first_name = "三"
    person.save()
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])

    assert _works(raw) == 200
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).exists()


def test_a_token_issued_after_the_change_works(person):
    person.set_password("Another-Horse-43")
    person.save()

    response = APIClient().post("/api/v1/auth/token/", {"username": "zhangsan", "password": "Another-Horse-43"},
                                format="json")

    assert _works(response.json()["token"]) == 200
