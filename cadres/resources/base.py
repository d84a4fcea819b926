"""What every import/export resource shares: the actor's scope, Chinese columns, all-or-nothing,
no cell that runs as a formula."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from import_export import resources

from core.reports import safe_cell

from ..models import Township
from ..roles import ANONYMOUS, Actor
from ..scope import townships_for
from ..services import CadreRuleError

TOWNSHIP_COLUMN = "乡镇代码"
ID_CARD_HEADER = re.compile(r"身份证|证件号|ID\s*card", re.IGNORECASE)
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores codes and phones typed as numbers as floats
    return str(value).strip()


def _choice(value: str, choices: list[tuple[str, Any]]) -> str | None:
    """A choice by its Chinese label or its slug."""
    for slug, label in choices:
        if value in (slug, str(label)):
            return slug
    return None


class RowErrors(dict):
    """Errors of one row, keyed by the column they are about."""

    def add(self, column: str, message: str) -> None:
        self.setdefault(column, []).append(message)


class ScopedResource(resources.ModelResource):
    """Common rules: scope from the actor, Chinese columns, all-or-nothing."""

    required_columns: tuple[str, ...] = ()
    # Model field → column, so model validation errors are shown under the column.
    column_of: dict[str, str] = {}

    def __init__(self, actor: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.actor = actor

    @property
    def writer(self) -> Actor:
        """Who imports: rows are saved through the services as this actor (no actor: nobody, so a
        resource made without one, to export, can never write)."""
        return self.actor or ANONYMOUS

    # --- exports: no cell runs as a formula -------------------------------------------------------

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        """Text starting with =, +, -, @, a tab or CR gets a leading quote, as in the API's exports."""
        return safe_cell(super().export_field(field, instance, **kwargs))

    # --- all-or-nothing -------------------------------------------------------------------------

    def import_data(self, dataset: Any, dry_run: bool = False, raise_errors: bool = False,
                    use_transactions: bool | None = None, collect_failed_rows: bool = False,
                    rollback_on_validation_errors: bool = True, **kwargs: Any) -> Any:
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True,
                                   collect_failed_rows=collect_failed_rows,
                                   rollback_on_validation_errors=True, **kwargs)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        headers = [_text(h) for h in (dataset.headers or [])]
        dataset.headers = headers
        banned = [h for h in headers if ID_CARD_HEADER.search(h)]
        if banned:
            raise ValueError(
                _("文件含有身份证号列（%(cols)s）。平台不保存身份证号，请删除该列后重新导入。") % {"cols": "、".join(banned)}
            )
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            raise ValueError(_("缺少必需的列：%(cols)s。请使用导出的模板。") % {"cols": "、".join(missing)})
        self._townships = {t.code: t for t in self._scope(townships_for, Township)}

    def _scope(self, fn: Any, model: type[Model]) -> Any:
        return model._default_manager.all() if self.actor is None else fn(self.actor)

    # --- rows -----------------------------------------------------------------------------------

    def township_for(self, row: dict[str, Any], errors: RowErrors) -> Township | None:
        code = _text(row.get(TOWNSHIP_COLUMN))
        if code:
            township = self._townships.get(code)
            if township is None:
                errors.add(TOWNSHIP_COLUMN, _("乡镇代码「%(code)s」不存在或不在您的管理范围内。") % {"code": code})
            return township
        own = self.actor.township_id if self.actor is not None else None
        if own is not None:
            return next((t for t in self._townships.values() if t.pk == own), None)
        if len(self._townships) == 1:
            return next(iter(self._townships.values()))
        errors.add(TOWNSHIP_COLUMN, _("请填写乡镇代码。"))
        return None

    def get_or_init_instance(self, instance_loader: Any, row: dict[str, Any]) -> tuple[Model, bool]:
        errors = RowErrors()
        instance = self.find(row, errors)
        if errors:
            raise ValidationError(dict(errors))
        if instance is None:
            return self.init_instance(row), True
        return instance, False

    def find(self, row: dict[str, Any], errors: RowErrors) -> Model | None:
        raise NotImplementedError

    def import_instance(self, instance: Model, row: dict[str, Any], **kwargs: Any) -> None:
        errors = RowErrors()
        self.fill(instance, row, errors)
        if errors:
            raise ValidationError(dict(errors))

    def fill(self, instance: Any, row: dict[str, Any], errors: RowErrors) -> None:
        raise NotImplementedError

    def check_rules(self, instance: Any) -> None:
        """Service rule checks, run once the fields are valid."""

    def validate_instance(self, instance: Model, import_validation_errors: dict | None = None,
                          validate_unique: bool = True) -> None:
        errors = RowErrors()
        for key, messages in (import_validation_errors or {}).items():
            for message in messages:
                errors.add(key, str(message.message if hasattr(message, "message") else message))
        if errors:
            raise ValidationError(dict(errors))
        # Field checks, then the service's rules (which name the column), then the constraints.
        steps = (
            lambda: instance.full_clean(validate_unique=validate_unique, validate_constraints=False),
            lambda: self.check_rules(instance),
            instance.validate_constraints,
        )
        for step in steps:
            try:
                step()
            except CadreRuleError as exc:
                errors.add(self.column_of.get(exc.field or "", NON_FIELD_ERRORS), exc.message)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        errors.add(self.column_of.get(key, key), message)
            if errors:
                break
        if errors:
            raise ValidationError(dict(errors))
