"""What comes in and what goes out: uploads, spreadsheet exports, PDFs, HTML escaping, headers."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import Notification
from core.reports import Column, csv_response, xlsx_response
from core.uploads import clean_upload

GPS_IFD = 0x8825


def _photo(fmt: str, mode: str = "RGB") -> bytes:
    """A photo as a phone would send it: with the maker and the GPS position in its EXIF."""
    picture = Image.new(mode, (40, 30), (200, 10, 10, 255)[: len(mode)])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 54.0, 27.0), "E", (116.0, 23.0, 17.0)
    out = io.BytesIO()
    picture.save(out, format=fmt, exif=exif)
    data = out.getvalue()
    assert dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))  # the fixture really carries GPS
    return data


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- uploads --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "mode", "name", "stored_as"), [
    ("JPEG", "RGB", "现场.jpg", "现场.jpg"),
    ("PNG", "RGBA", "board.png", "board.png"),
])
def test_uploaded_photo_comes_back_without_exif(fmt, mode, name, stored_as):
    upload = SimpleUploadedFile(name, _photo(fmt, mode), content_type="image/jpeg")

    clean = clean_upload(upload, kinds=("image",))

    assert clean.name == stored_as
    back = Image.open(io.BytesIO(clean.read()))
    assert back.format == fmt
    assert back.size == (40, 30)
    assert dict(back.getexif()) == {}
    assert "exif" not in back.info


def test_text_file_renamed_to_jpg_is_refused_in_chinese():
    upload = SimpleUploadedFile("photo.jpg", b"just some text, not a picture\n" * 10, content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        clean_upload(upload, kinds=("image",))

    assert refused.value.code == "bad_type"
    assert "文件类型不符" in refused.value.messages[0] and "图片" in refused.value.messages[0]


def test_html_disguised_as_pdf_is_refused():
    upload = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")

    with pytest.raises(ValidationError) as refused:
        clean_upload(upload, kinds=("pdf",))

    assert refused.value.code == "bad_type"


def test_oversized_upload_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", _pdf() + b"0" * (2 * 1024 * 1024), content_type="application/pdf")

    with pytest.raises(ValidationError) as refused:
        clean_upload(upload)

    assert refused.value.code == "too_large"
    assert refused.value.messages == ["文件过大：最大 2 MB。"]


def test_empty_upload_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"))

    assert refused.value.messages == ["文件为空。"]


def test_real_pdf_is_accepted_unchanged():
    data = _pdf()

    clean = clean_upload(SimpleUploadedFile("扫描件.pdf", data, content_type="application/pdf"), kinds=("pdf",))

    assert clean.name == "扫描件.pdf"
    assert clean.read() == data


def test_pdf_where_only_images_are_allowed_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile("x.pdf", _pdf(), content_type="application/pdf"), kinds=("image",))

    assert refused.value.code == "bad_type"


@pytest.mark.parametrize("damage", ["checksum", "truncated"])
def test_corrupt_image_is_refused(damage):
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, format="PNG")
    data = out.getvalue()
    broken = data[:60] + b"\x00" * 40 + data[100:] if damage == "checksum" else data[: len(data) // 2]

    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile("broken.png", broken, content_type="image/png"))

    assert refused.value.code == "corrupt"
    assert refused.value.messages == ["图片已损坏，无法读取。"]


# --- spreadsheet exports --------------------------------------------------------------------------

COLUMNS = [Column("name", "姓名"), Column("note", "备注"), Column("n", "数量")]
ROWS = [
    {"name": "=HYPERLINK(\"http://evil.example\",\"点我\")", "note": "+86 138", "n": 3},
    {"name": "-2+3", "note": "@SUM(A1:A2)", "n": -7},
    {"name": "张三", "note": "普通文字", "n": 0},
]


def _csv_text(response) -> str:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_export_starts_with_a_bom_and_writes_formulas_as_text():
    text = _csv_text(csv_response("test", COLUMNS, ROWS))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["姓名", "备注", "数量"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\",\"点我\")", "'+86 138", "3"]
    assert rows[2] == ["'-2+3", "'@SUM(A1:A2)", "-7"]
    assert rows[3] == ["张三", "普通文字", "0"]


def test_xlsx_export_writes_formulas_as_text_and_numbers_as_numbers():
    from openpyxl import load_workbook

    response = xlsx_response("test", [("报表", COLUMNS, ROWS)])
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["报表"]

    assert [c.value for c in sheet[1]] == ["姓名", "备注", "数量"]
    formula_cell = sheet["A2"]
    assert formula_cell.data_type == "s"
    assert formula_cell.value == "'=HYPERLINK(\"http://evil.example\",\"点我\")"
    assert [c.value for c in sheet[3]] == ["'-2+3", "'@SUM(A1:A2)", -7]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["C2"].value == 3 and sheet["C2"].data_type == "n"


# --- PDF rendering never fetches ------------------------------------------------------------------


def _listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    return server


def test_pdf_rendering_does_not_fetch_remote_urls():
    from core.pdf import render_pdf

    server = _listener()
    port = server.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    html = (
        f"<html><head><link rel='stylesheet' href='{base}/x.css'></head><body>"
        f"<p>简报</p><img src='{base}/x.png'><img src='file:///etc/passwd'>"
        f"<div style=\"background: url('{base}/bg.png')\">x</div></body></html>"
    )
    try:
        pdf = render_pdf(html)
        with pytest.raises(socket.timeout):
            server.accept()
    finally:
        server.close()

    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png", "https://example.com/a.css", "file:///etc/passwd", "ftp://host/x",
    "portal-static:../../../../etc/passwd",
])
def test_pdf_url_fetcher_refuses_everything_but_data_and_own_static_files(url):
    from core.pdf import RefusedURL, _url_fetcher

    with pytest.raises(RefusedURL):
        _url_fetcher(url)


def test_pdf_url_fetcher_allows_data_uris_and_the_portals_own_static_files():
    from core.pdf import _url_fetcher

    assert _url_fetcher("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    stylesheet = _url_fetcher("portal-static:css/portal.css")
    assert stylesheet.content_type == "text/css"
    assert b"{" in stylesheet.read()


def test_pdf_renders_with_the_portals_stylesheet():
    from core.pdf import render_pdf

    pdf = render_pdf("<html><head><link rel='stylesheet' href='portal-static:css/portal.css'></head>"
                     "<body><h1>作风建设简报</h1></body></html>")

    assert pdf.startswith(b"%PDF")


# --- HTML escaping ----------------------------------------------------------------------------------


def test_user_text_is_escaped_in_pages(client, db):
    user = User.objects.create_user("zhangsan", password="Correct-Horse-42")
    Notification.objects.create(recipient=user, kind="general", title="<script>alert('标题')</script>",
                                body="<img src=x onerror=alert(1)>")
    client.force_login(user)

    html = client.get("/notifications/").content.decode()

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;标题&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- headers -----------------------------------------------------------------------------------------


def test_pages_send_a_strict_csp_without_inline_script(client, db):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}

    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_https_answers_carry_hsts_and_http_is_redirected(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    plain = client.get("/accounts/login/")
    secure = client.get("/accounts/login/", secure=True)

    assert plain.status_code == 301 and plain["Location"] == "https://testserver/accounts/login/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["X-Content-Type-Options"] == "nosniff"


def test_production_settings_enforce_transport_cookie_and_admin_protections():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "k3y-" + "x9Z!q" * 12,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "DATABASE_URL": "postgres://portal@db:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    })
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'hashers': s.PASSWORD_HASHERS, 'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'session_secure': s.SESSION_COOKIE_SECURE, "
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'httponly': s.SESSION_COOKIE_HTTPONLY, 'frame': s.X_FRAME_OPTIONS, "
        "'nosniff': s.SECURE_CONTENT_TYPE_NOSNIFF, 'otp': s.ADMIN_REQUIRE_OTP, 'debug': s.DEBUG, "
        "'script': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'], "
        "'idle': s.SESSION_IDLE_TIMEOUT, 'absolute': s.SESSION_ABSOLUTE_TIMEOUT, "
        "'retention': s.AUDIT_RETENTION_DAYS}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    values = json.loads(result.stdout)
    assert values["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "MD5" not in " ".join(values["hashers"])
    assert values["ssl"] is True and values["hsts"] == 31536000 and values["sub"] is True
    assert values["session_secure"] is True and values["csrf_secure"] is True and values["httponly"] is True
    assert values["frame"] == "DENY" and values["nosniff"] is True
    assert values["otp"] is True and values["debug"] is False
    assert values["script"] == ["'self'"]
    assert (values["idle"], values["absolute"], values["retention"]) == (1800, 43200, 365)
