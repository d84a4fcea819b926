"""The upload form of the staff import pages: the file is judged by its content, not its name.

The same rules as core.uploads.clean_upload (type read from the first bytes by libmagic, the
portal's size limit), for the two table formats the admin's import accepts: XLSX and UTF-8 CSV.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import check_size, sniff

XLSX_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
# Some spreadsheet programs write the workbook's parts in an order libmagic does not recognise.
ZIP_TYPES = frozenset({"application/zip", "application/octet-stream"})
CSV_TYPES = frozenset({"text/plain", "text/csv", "application/csv"})


def _is_workbook(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def clean_table_upload(upload: UploadedFile) -> tuple[bytes, str]:
    """The upload's bytes and its format ("xlsx" or "csv"), or a ValidationError in Chinese."""
    check_size(upload)
    mime = sniff(upload)
    upload.seek(0)
    content = upload.read()
    if mime in XLSX_TYPES or (mime in ZIP_TYPES and _is_workbook(content)):
        return content, "xlsx"
    if mime in CSV_TYPES:
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("CSV 文件须为 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 XLSX 文件。"),
                code="bad_encoding") from exc
        return content, "csv"
    raise ValidationError(_("文件类型不符：只接受 Excel 表格（XLSX）或 CSV 文件。"), code="bad_type")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("导入文件（XLSX 或 CSV）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    create_logins = forms.BooleanField(
        label=gettext_lazy("同时为导入的干部开通登录账号"), required=False,
        help_text=gettext_lazy("登录名为手机号（没有时为 cadre 加编号）；导入后可打印发放单，初始密码在打印时生成。"),
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != "cadres":
            del self.fields["create_logins"]

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        self.content, self.format = clean_table_upload(upload)
        self.filename = PurePath(upload.name or "").name or f"upload.{self.format}"
        return upload
