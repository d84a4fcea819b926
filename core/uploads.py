"""Checking uploads by what they are, not what they claim to be.

The type is read from the file's first bytes (libmagic), the size is capped, and images are
re-encoded so that metadata such as EXIF GPS positions never reaches storage.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PDF_TYPES = {"application/pdf": "pdf"}
KINDS = {"image": IMAGE_TYPES, "pdf": PDF_TYPES}

# A few kilobytes of PNG can declare 20000×10000 pixels and take gigabytes once decoded. Pillow's own
# guard follows the portal's limit: it warns past UPLOAD_MAX_PIXELS and refuses past twice that,
# before decoding; clean_upload refuses anything past the limit with a message.
Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_PIXELS


def sniff(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    return magic.from_buffer(head, mime=True)


def check_size(upload: UploadedFile, max_bytes: int | None = None) -> None:
    """Refuse an empty upload or one over the limit (UPLOAD_MAX_BYTES unless given)."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("文件过大：最大 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}, code="too_large")


def clean_upload(upload: UploadedFile, *, kinds: tuple[str, ...] = ("image", "pdf"),
                 max_bytes: int | None = None) -> ContentFile:
    """Return a safe copy of an upload, or raise ValidationError with a message in the user's language."""
    check_size(upload, max_bytes)
    allowed: dict[str, str] = {}
    for kind in kinds:
        allowed.update(KINDS[kind])
    mime = sniff(upload)
    if mime not in allowed:
        names = "、".join(sorted({_("图片（JPG/PNG/WebP）") if k == "image" else _("PDF") for k in kinds}))
        raise ValidationError(_("文件类型不符：只接受%(kinds)s。") % {"kinds": names}, code="bad_type")
    stem = PurePath(upload.name or "upload").stem[:60] or "upload"
    if mime in IMAGE_TYPES:
        return _reencode_image(upload, stem)
    upload.seek(0)
    return ContentFile(upload.read(), name=f"{stem}.{allowed[mime]}")


def _too_many_pixels(limit: int) -> ValidationError:
    return ValidationError(
        _("图片像素过多：最多 %(pixels)s 像素，请缩小后再上传。") % {"pixels": f"{limit:,}"}, code="too_many_pixels")


def _reencode_image(upload: UploadedFile, stem: str) -> ContentFile:
    limit = settings.UPLOAD_MAX_PIXELS
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Past Pillow's limit it only warns; here that refuses the image too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                # The size comes from the header: nothing is decoded yet.
                width, height = probe.size
                if width * height > limit:
                    raise _too_many_pixels(limit)
                probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            # Apply the orientation tag before it is dropped with the rest of the metadata.
            picture: Image.Image = ImageOps.exif_transpose(opened)
            fmt = "PNG" if picture.mode in ("RGBA", "LA", "P") else "JPEG"
            if fmt == "JPEG" and picture.mode != "RGB":
                picture = picture.convert("RGB")
            clean = Image.new(picture.mode, picture.size)
            clean.paste(picture)
            out = io.BytesIO()
            clean.save(out, format=fmt, quality=85) if fmt == "JPEG" else clean.save(out, format=fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(limit) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("图片已损坏，无法读取。"), code="corrupt") from exc
    return ContentFile(out.getvalue(), name=f"{stem}.{'png' if fmt == 'PNG' else 'jpg'}")
