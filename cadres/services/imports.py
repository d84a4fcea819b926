"""Imports of households and cadres started from a staff page and run as a background job.

The rows go through the very resources the admin imports with (cadres.resources), built for the
person who started the import, so the scope (their own township) and every rule are the same; a
file with any bad row imports nothing (the resources' import is one transaction). The result, or
the list of errors by Excel line (the header is line 1) and column, is kept on the JobRun.

The uploaded file waits in the default storage (a volume shared with the workers) under imports/
and is deleted once the job has ended: it holds personal data.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats
from import_export.results import RowResult

from core.errors import DomainError, NotAllowed
from core.jobs import FINISHED, TRANSIENT, job_fail, job_progress, job_start, job_succeed
from core.models import JobRun

from ..resources import CadreResource, HouseholdResource, ScopedResource, _text
from ..roles import Actor, Role, actor_for
from .accounts import accounts_open_for_import

log = logging.getLogger(__name__)

JOB_NAME = "cadres.import"
STORAGE_DIR = "imports"
# Enough to fix a file by; a file with more errors is probably the wrong file.
MAX_ERRORS = 200


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str | Promise
    resource: type[ScopedResource]
    url_name: str


IMPORT_KINDS = {
    "households": ImportKind("households", gettext_lazy("农户"), HouseholdResource, "household-import"),
    "cadres": ImportKind("cadres", gettext_lazy("干部"), CadreResource, "cadre-import"),
}


class ImportFileError(DomainError):
    code = "import_file"


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    login_cadres: list[int] = field(default_factory=list)
    logins_skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_result(self) -> dict[str, Any]:
        if self.ok:
            result: dict[str, Any] = {"created": self.created, "updated": self.updated}
            if self.login_cadres or self.logins_skipped:
                result.update(login_cadres=self.login_cadres, logins_skipped=self.logins_skipped)
            return result
        return {"errors": self.errors, "truncated": self.truncated}


def may_import(actor: Actor) -> bool:
    """Imports hold personal data: the office and superusers, as in the admin."""
    return actor.has(Role.OFFICE)


# --- reading the file -----------------------------------------------------------------------------


def _blank(values: Any) -> bool:
    return all(_text(v) == "" for v in values)


def read_table(content: bytes, fmt: str) -> tuple[tablib.Dataset, list[int]]:
    """The file's first sheet as a dataset, fully blank rows left out, and the Excel line of each
    row kept (the header is line 1, so the first data row is line 2)."""
    try:
        if fmt == "xlsx":
            raw = base_formats.XLSX().create_dataset(content)
        else:
            raw = base_formats.CSV(encoding="utf-8-sig").create_dataset(content.decode("utf-8-sig"))
    except StopIteration as exc:  # not even a header row
        raise ImportFileError(_("文件是空的：第1行应为表头。")) from exc
    except Exception as exc:  # openpyxl and csv raise many kinds; all mean "cannot read it"
        raise ImportFileError(_("无法读取该文件：请上传 XLSX 或 UTF-8 编码的 CSV 文件。")) from exc
    headers = [_text(h) for h in (raw.headers or [])]
    if not any(headers):
        raise ImportFileError(_("文件是空的：第1行应为表头。"))
    dataset = tablib.Dataset(headers=headers)
    lines = []
    for index, row in enumerate(raw, start=2):
        if not _blank(row):
            dataset.append(row)
            lines.append(index)
    if not lines:
        raise ImportFileError(_("文件只有表头，没有数据行。"))
    return dataset, lines


# --- importing ------------------------------------------------------------------------------------


def _error(line: int | None, column: str, value: Any, message: Any) -> dict[str, Any]:
    return {"line": line, "column": "" if column == NON_FIELD_ERRORS else column, "value": _text(value),
            "message": str(message)}


def _row_value(dataset: tablib.Dataset, number: int, column: str) -> Any:
    if column in dataset.headers:
        return dataset[number - 1][dataset.headers.index(column)]
    return ""


def table_import(*, kind: str, content: bytes, fmt: str, actor: Actor, user: Any = None,
                 create_logins: bool = False) -> ImportOutcome:
    """Import every row of the file, or none of them: the outcome says how many rows were created
    and updated, or lists each error by Excel line and column. Transient database errors raise."""
    dataset, lines = read_table(content, fmt)
    resource = IMPORT_KINDS[kind].resource(actor=actor)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, user=user)
    outcome = ImportOutcome()
    if result.base_errors:  # the file as a whole: a missing column, an ID-card column …
        for error in result.base_errors:
            if isinstance(error.error, TRANSIENT):
                raise error.error
            outcome.errors.append(_error(None, "", "", error.error))
        return outcome
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            for message in messages:
                outcome.errors.append(_error(lines[row.number - 1], column, _row_value(dataset, row.number, column),
                                             message))
    for error_row in result.error_rows:
        for error in error_row.errors:
            exc = error.error
            if isinstance(exc, TRANSIENT):
                raise exc
            if isinstance(exc, DomainError):
                column = resource.column_of.get(getattr(exc, "field", None) or "", "")
                outcome.errors.append(_error(lines[error_row.number - 1], column,
                                             _row_value(dataset, error_row.number, column), exc.message))
            else:
                log.warning("import row %s failed", error_row.number, exc_info=exc)
                outcome.errors.append(_error(lines[error_row.number - 1], "", "",
                                             _("该行无法导入（系统错误），请检查内容或联系管理员。")))
    outcome.errors.sort(key=lambda e: (e["line"] or 0))
    if len(outcome.errors) > MAX_ERRORS:
        outcome.errors, outcome.truncated = outcome.errors[:MAX_ERRORS], True
    if outcome.ok:
        outcome.created = result.totals[RowResult.IMPORT_TYPE_NEW]
        outcome.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        if create_logins and kind == "cadres":
            ids = [row.object_id for row in result.rows if row.object_id is not None]
            outcome.login_cadres, outcome.logins_skipped = accounts_open_for_import(actor=actor, cadre_ids=ids)
    return outcome


# --- the job --------------------------------------------------------------------------------------


def import_start(*, kind: str, content: bytes, fmt: str, filename: str, actor: Actor,
                 create_logins: bool = False) -> JobRun:
    """Keep the (already checked) upload and queue its import; the job runs after commit (and
    imports as the actor's user, if that log-in may still import then)."""
    from ..tasks import import_table_task

    if not may_import(actor) or actor.user_id is None:
        raise NotAllowed(_("只有党政办可以导入数据。"))

    if kind not in IMPORT_KINDS:
        raise ImportFileError(_("不支持的导入内容。"))
    path = default_storage.save(f"{STORAGE_DIR}/{uuid.uuid4().hex}.{fmt}", ContentFile(content))
    return job_start(
        name=JOB_NAME, started_by_id=actor.user_id,
        params={"kind": kind, "format": fmt, "file": path, "filename": filename[:120],
                "township": actor.township_id, "language": translation.get_language(),
                "create_logins": bool(create_logins and kind == "cadres")},
        enqueue=import_table_task.delay,
    )


def _forget_file(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)


def import_job_run(*, job_id: int) -> str:
    """Run one queued import. Idempotent: a job that has ended is left as it is, and the import and
    the job's result are committed together, so a redelivered task never imports a file twice.
    Messages are written in the language of the page that started the job."""
    job = JobRun.objects.filter(pk=job_id, name=JOB_NAME).first()
    if job is None:
        return "missing"
    with translation.override(job.params.get("language") or None):
        return _run(job)


def _run(job: JobRun) -> str:
    job_id = job.pk
    path = str(job.params.get("file", ""))
    if job.status in FINISHED:
        _forget_file(path)
        return str(job.status)
    job_progress(job_id, progress=10, message=_("正在读取文件……"))
    content = None
    if path and default_storage.exists(path):
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        job_progress(job_id, progress=30, message=_("正在导入……"))
    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        if job.status in FINISHED:  # another delivery of the same task got here first
            return str(job.status)
        user = get_user_model().objects.filter(pk=job.started_by_id, is_active=True).first()
        actor = actor_for(user)
        # The import and the job's result commit together (the job row is locked above).
        if content is None:
            job_fail(job_id, message=_("上传的文件已不存在，请重新上传。"))
        elif user is None or not may_import(actor):
            job_fail(job_id, message=_("发起人已无导入权限，未导入任何数据。"))
        else:
            try:
                outcome = table_import(kind=str(job.params.get("kind")), content=content,
                                       fmt=str(job.params.get("format")), actor=actor, user=user,
                                       create_logins=bool(job.params.get("create_logins")))
            except ImportFileError as exc:
                job_fail(job_id, message=exc.message)
            else:
                if outcome.ok:
                    job_succeed(job_id, result=outcome.as_result(),
                                message=_("导入完成：新增%(created)s条，更新%(updated)s条。")
                                % {"created": outcome.created, "updated": outcome.updated})
                else:
                    job_fail(job_id, result=outcome.as_result(),
                             message=_("未导入任何数据：文件中有%(n)s处错误，请改正后重新上传。")
                             % {"n": len(outcome.errors)})
    _forget_file(path)
    return str(JobRun.objects.values_list("status", flat=True).get(pk=job_id))


def import_job_give_up(*, job_id: int) -> None:
    """The database stayed unavailable through every retry: the job ends, nothing was imported."""
    job_fail(job_id, message=_("数据库暂时不可用，导入未完成，未导入任何数据，请稍后重新上传。"))


def import_job_crashed(*, job_id: int) -> None:
    """An unexpected error ended the job (the import's transaction was rolled back): say so,
    rather than leave the page refreshing on a job that will never finish."""
    job_fail(job_id, message=_("导入因系统错误中断，未导入任何数据。请稍后重新上传；如仍失败，请联系管理员。"))
