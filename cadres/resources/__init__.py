"""Imports (and exports) of villages, units, cadres and households: XLSX or CSV, Chinese columns.

The admin shows a preview first; every error is listed by row and column, in Chinese; and a file
with any invalid row imports nothing (the whole import is one transaction that is rolled back).
Rows are saved through the same services as the admin and the API, so the pyramid and the other
rules hold for imported data too. ID-card numbers are refused outright (PIPL).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from import_export import fields, resources

from core.reports import safe_cell

from . import services
from .models import Cadre, Household, HouseholdTag, Post, Township, Unit, Village, VillageGroup
from .roles import ANONYMOUS, Actor
from .scope import cadres_for, households_for, townships_for, units_for, villages_for
from .services import CadreRuleError
from .services.pyramid import cadre_validate_posts

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


# --- villages ------------------------------------------------------------------------------------------


class VillageResource(ScopedResource):
    township = fields.Field(column_name=TOWNSHIP_COLUMN)
    code = fields.Field(attribute="code", column_name="村代码")
    name = fields.Field(attribute="name", column_name="村名称")
    kind = fields.Field(column_name="类型")
    groups = fields.Field(column_name="村民小组")

    required_columns = ("村代码", "村名称")
    column_of = {"township": TOWNSHIP_COLUMN, "code": "村代码", "name": "村名称", "kind": "类型"}

    class Meta:
        model = Village
        name = "村（社区）"
        fields = ("township", "code", "name", "kind", "groups")

    def dehydrate_township(self, obj: Village) -> str:
        return obj.township.code if obj.township_id else ""

    def dehydrate_kind(self, obj: Village) -> str:
        return str(obj.get_kind_display())

    def dehydrate_groups(self, obj: Village) -> str:
        return "、".join(g.name for g in obj.groups.all()) if obj.pk else ""

    def find(self, row: dict[str, Any], errors: RowErrors) -> Village | None:
        code = _text(row.get("村代码"))
        if not code:
            return None
        village = Village.objects.filter(code=code).first()
        if village is not None and not self._scope(villages_for, Village).filter(pk=village.pk).exists():
            errors.add("村代码", _("村代码「%(code)s」已被其他乡镇使用。") % {"code": code})
            return None
        return village

    def fill(self, village: Village, row: dict[str, Any], errors: RowErrors) -> None:
        township = self.township_for(row, errors)
        if township is not None:
            if village.pk and village.township_id != township.pk:
                errors.add(TOWNSHIP_COLUMN, _("不能通过导入把村移到其他乡镇。"))
            village.township = township
        village.code = _text(row.get("村代码"))
        village.name = _text(row.get("村名称"))
        kind = _text(row.get("类型"))
        if kind:
            slug = _choice(kind, Village.Kind.choices)
            if slug is None:
                errors.add("类型", _("类型应为「行政村」或「社区」。"))
            else:
                village.kind = slug
        groups = [g for g in LIST_SEPARATORS.split(_text(row.get("村民小组"))) if g]
        if len(set(groups)) != len(groups):
            errors.add("村民小组", _("村民小组名称有重复。"))
        if any(len(g) > 40 for g in groups):
            errors.add("村民小组", _("村民小组名称不能超过40个字。"))
        village._import_groups = groups  # type: ignore[attr-defined]

    def check_rules(self, village: Village) -> None:
        clash = Village.objects.filter(township_id=village.township_id, name=village.name).exclude(pk=village.pk)
        if clash.exists():
            raise CadreRuleError(_("本镇已有名为「%(name)s」的村。") % {"name": village.name}, field="name")

    def do_instance_save(self, instance: Village, is_create: bool) -> None:
        services.village_save(village=instance, groups=getattr(instance, "_import_groups", None), actor=self.writer)


# --- units ---------------------------------------------------------------------------------------------------


class UnitResource(ScopedResource):
    township = fields.Field(column_name=TOWNSHIP_COLUMN)
    name = fields.Field(attribute="name", column_name="名称")
    kind = fields.Field(column_name="类型")
    head = fields.Field(column_name="负责人")
    leader_in_charge = fields.Field(column_name="分管领导")

    required_columns = ("名称",)
    column_of = {"township": TOWNSHIP_COLUMN, "name": "名称", "kind": "类型", "head": "负责人",
                 "leader_in_charge": "分管领导"}

    class Meta:
        model = Unit
        name = "站办所"
        fields = ("township", "name", "kind", "head", "leader_in_charge")

    def get_queryset(self) -> Any:
        return Unit.objects.select_related("township", "head", "leader_in_charge")

    def dehydrate_township(self, obj: Unit) -> str:
        return obj.township.code if obj.township_id else ""

    def dehydrate_kind(self, obj: Unit) -> str:
        return str(obj.get_kind_display())

    def dehydrate_head(self, obj: Unit) -> str:
        return obj.head.name if obj.head is not None else ""

    def dehydrate_leader_in_charge(self, obj: Unit) -> str:
        return obj.leader_in_charge.name if obj.leader_in_charge is not None else ""

    def find(self, row: dict[str, Any], errors: RowErrors) -> Unit | None:
        township = self.township_for(row, RowErrors())
        name = _text(row.get("名称"))
        if township is None or not name:
            return None
        return Unit.objects.filter(township=township, name=name).first()

    def _cadre(self, township: Township, name: str, column: str, errors: RowErrors) -> Cadre | None:
        found = list(self._scope(cadres_for, Cadre).filter(township=township, name=name, is_active=True)[:2])
        if not found:
            errors.add(column, _("本镇没有在岗干部「%(name)s」，请先导入干部。") % {"name": name})
            return None
        if len(found) > 1:
            errors.add(column, _("本镇有多名干部叫「%(name)s」，请在后台直接指定。") % {"name": name})
            return None
        return found[0]

    def fill(self, unit: Unit, row: dict[str, Any], errors: RowErrors) -> None:
        township = self.township_for(row, errors)
        if township is None:
            return
        unit.township = township
        unit.name = _text(row.get("名称"))
        kind = _text(row.get("类型"))
        if kind:
            slug = _choice(kind, Unit.Kind.choices)
            if slug is None:
                kinds = "、".join(str(label) for _s, label in Unit.Kind.choices)
                errors.add("类型", _("类型应为：%(kinds)s。") % {"kinds": kinds})
            else:
                unit.kind = slug
        for attr, column in (("head", "负责人"), ("leader_in_charge", "分管领导")):
            if column in row:
                name = _text(row.get(column))
                setattr(unit, attr, self._cadre(township, name, column, errors) if name else None)

    def check_rules(self, unit: Unit) -> None:
        services.unit_validate(unit)

    def do_instance_save(self, instance: Unit, is_create: bool) -> None:
        services.unit_save(unit=instance, actor=self.writer)


# --- cadres --------------------------------------------------------------------------------------------------


class CadreResource(ScopedResource):
    id = fields.Field(attribute="id", column_name="编号")
    township = fields.Field(column_name=TOWNSHIP_COLUMN)
    name = fields.Field(attribute="name", column_name="姓名")
    gender = fields.Field(column_name="性别")
    phone = fields.Field(attribute="phone", column_name="电话")
    political_status = fields.Field(column_name="政治面貌")
    post = fields.Field(column_name="职务")
    unit = fields.Field(column_name="所在站办所")
    village = fields.Field(column_name="所在村")

    required_columns = ("姓名", "职务")
    column_of = {"id": "编号", "township": TOWNSHIP_COLUMN, "name": "姓名", "gender": "性别", "phone": "电话",
                 "political_status": "政治面貌", "post": "职务", "level": "职务", "unit": "所在站办所",
                 "village": "所在村", "reports_to": "职务"}

    class Meta:
        model = Cadre
        name = "干部"
        fields = ("id", "township", "name", "gender", "phone", "political_status", "post", "unit", "village")

    def get_queryset(self) -> Any:
        return Cadre.objects.select_related("township", "unit", "village")

    def dehydrate_township(self, obj: Cadre) -> str:
        return obj.township.code if obj.township_id else ""

    def dehydrate_gender(self, obj: Cadre) -> str:
        return str(obj.get_gender_display())

    def dehydrate_political_status(self, obj: Cadre) -> str:
        return str(obj.get_political_status_display())

    def dehydrate_post(self, obj: Cadre) -> str:
        return str(obj.get_post_display())

    def dehydrate_unit(self, obj: Cadre) -> str:
        return obj.unit.name if obj.unit is not None else ""

    def dehydrate_village(self, obj: Cadre) -> str:
        return obj.village.name if obj.village is not None else ""

    def find(self, row: dict[str, Any], errors: RowErrors) -> Cadre | None:
        pk = _text(row.get("编号"))
        scoped = self._scope(cadres_for, Cadre)
        if pk:
            cadre = scoped.filter(pk=pk).first() if pk.isdigit() else None
            if cadre is None:
                errors.add("编号", _("编号为「%(pk)s」的干部不存在或不在您的管理范围内。") % {"pk": pk})
            return cadre
        township = self.township_for(row, RowErrors())
        name, phone = _text(row.get("姓名")), _text(row.get("电话"))
        if township is None or not name or not phone:
            return None
        found = list(scoped.filter(township=township, name=name, phone=phone)[:2])
        return found[0] if len(found) == 1 else None

    def fill(self, cadre: Cadre, row: dict[str, Any], errors: RowErrors) -> None:
        township = self.township_for(row, errors)
        if township is None:
            return
        if cadre.pk and cadre.township_id != township.pk:
            errors.add(TOWNSHIP_COLUMN, _("干部调往其他乡镇请用「干部调动」，不能通过导入修改乡镇。"))
        cadre.township = township
        cadre.name = _text(row.get("姓名"))
        if "电话" in row:
            cadre.phone = _text(row.get("电话"))
        for attr, column, choices in (
            ("gender", "性别", Cadre.Gender.choices),
            ("political_status", "政治面貌", Cadre.PoliticalStatus.choices),
            ("post", "职务", Post.choices),
        ):
            value = _text(row.get(column))
            if not value:
                continue
            slug = _choice(value, choices)
            if slug is None:
                errors.add(column, _("「%(value)s」不是有效的%(column)s。") % {"value": value, "column": column})
            else:
                setattr(cadre, attr, slug)
        cadre.level = Cadre.Level.VILLAGE if cadre.post in {Post.VILLAGE_SECRETARY, Post.VILLAGE_DIRECTOR,
                                                           Post.VILLAGE_COMMITTEE} else Cadre.Level.TOWNSHIP
        unit_name = _text(row.get("所在站办所"))
        cadre.unit = None
        if unit_name:
            cadre.unit = self._scope(units_for, Unit).filter(township=township, name=unit_name).first()
            if cadre.unit is None:
                errors.add("所在站办所", _("站办所「%(name)s」不存在，请先导入站办所。") % {"name": unit_name})
        village_name = _text(row.get("所在村"))
        cadre.village = None
        if village_name:
            cadre.village = self._scope(villages_for, Village).filter(township=township, name=village_name).first()
            if cadre.village is None:
                errors.add("所在村", _("本镇没有「%(name)s」。") % {"name": village_name})
        if not cadre.pk:
            cadre.reports_to = None  # filled in from the post when saved

    def check_rules(self, cadre: Cadre) -> None:
        services.cadre_validate(cadre)
        cadre_validate_posts(cadre, actor=self.writer)
        if cadre.pk is not None:
            cadre.reports_to = None  # an import realigns the superior to the (possibly new) post
        services.cadre_validate_superior(cadre)

    def do_instance_save(self, instance: Cadre, is_create: bool) -> None:
        services.cadre_save(cadre=instance, actor=self.writer)


# --- households ------------------------------------------------------------------------------------------------


class HouseholdResource(ScopedResource):
    id = fields.Field(attribute="id", column_name="编号")
    village = fields.Field(column_name="村")
    group = fields.Field(column_name="村民小组")
    head_name = fields.Field(attribute="head_name", column_name="户主姓名")
    members = fields.Field(attribute="members", column_name="家庭人口")
    phone = fields.Field(attribute="phone", column_name="联系电话")
    tags = fields.Field(column_name="标签")
    note = fields.Field(attribute="note", column_name="备注")

    required_columns = ("村", "户主姓名")
    column_of = {"id": "编号", "village": "村", "group": "村民小组", "head_name": "户主姓名", "members": "家庭人口",
                 "phone": "联系电话", "note": "备注"}

    class Meta:
        model = Household
        name = "农户"
        fields = ("id", "village", "group", "head_name", "members", "phone", "tags", "note")

    def get_queryset(self) -> Any:
        return Household.objects.select_related("village", "group").prefetch_related("tags")

    def dehydrate_village(self, obj: Household) -> str:
        return obj.village.name if obj.village_id else ""

    def dehydrate_group(self, obj: Household) -> str:
        return obj.group.name if obj.group is not None else ""

    def dehydrate_tags(self, obj: Household) -> str:
        return "、".join(t.name for t in obj.tags.all()) if obj.pk else ""

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        villages = list(self._scope(villages_for, Village))
        self._villages: dict[str, list[Village]] = {}
        for v in villages:
            self._villages.setdefault(v.name, []).append(v)
            self._villages.setdefault(v.code, []).append(v)
        self._groups = {(g.village_id, g.name): g for g in VillageGroup.objects.filter(village__in=villages)}
        self._tags: dict[str, HouseholdTag] = {}
        for tag in HouseholdTag.objects.all():
            self._tags[tag.name] = self._tags[tag.slug] = tag

    def _village(self, row: dict[str, Any], errors: RowErrors) -> Village | None:
        value = _text(row.get("村"))
        matches = self._villages.get(value, [])
        if not value:
            errors.add("村", _("请填写村名称或村代码。"))
        elif not matches:
            errors.add("村", _("「%(name)s」不存在或不在您的管理范围内。") % {"name": value})
        elif len(matches) > 1:
            errors.add("村", _("多个乡镇都有「%(name)s」，请填写村代码。") % {"name": value})
        else:
            return matches[0]
        return None

    def find(self, row: dict[str, Any], errors: RowErrors) -> Household | None:
        pk = _text(row.get("编号"))
        if pk:
            found = self._scope(households_for, Household).filter(pk=pk).first() if pk.isdigit() else None
            if found is None:
                errors.add("编号", _("编号为「%(pk)s」的农户不存在或不在您的管理范围内。") % {"pk": pk})
            return found
        village = self._village(row, RowErrors())
        name, phone = _text(row.get("户主姓名")), _text(row.get("联系电话"))
        if village is None or not name:
            return None
        same = list(Household.objects.filter(village=village, head_name=name, phone=phone, erased_at__isnull=True)[:2])
        return same[0] if len(same) == 1 else None

    def fill(self, household: Household, row: dict[str, Any], errors: RowErrors) -> None:
        if household.erased_at is not None:
            errors.add("编号", _("该农户的个人信息已按申请删除，不能再导入。"))
        village = self._village(row, errors)
        if village is not None:
            household.village = village
        name = _text(row.get("户主姓名"))
        if any(ch.isdigit() for ch in name):
            errors.add("户主姓名", _("户主姓名不能包含数字（不要填写身份证号）。"))
        household.head_name = name
        members = _text(row.get("家庭人口"))
        if members:
            if not members.isdigit() or not 1 <= int(members) <= 30:
                errors.add("家庭人口", _("家庭人口应为1到30之间的整数。"))
            else:
                household.members = int(members)
        if "联系电话" in row:
            household.phone = _text(row.get("联系电话"))
        if "备注" in row:
            household.note = _text(row.get("备注"))
        group = _text(row.get("村民小组"))
        household.group = None
        if group and village is not None:
            household.group = self._groups.get((village.pk, group))
            if household.group is None:
                errors.add("村民小组", _("「%(village)s」没有「%(group)s」。") % {"village": village.name, "group": group})
        tags = []
        for label in (t for t in LIST_SEPARATORS.split(_text(row.get("标签"))) if t):
            tag = self._tags.get(label)
            if tag is None:
                errors.add("标签", _("没有名为「%(tag)s」的标签。") % {"tag": label})
            else:
                tags.append(tag)
        household._import_tags = tags if "标签" in row else None  # type: ignore[attr-defined]

    def do_instance_save(self, instance: Household, is_create: bool) -> None:
        services.household_save(household=instance, tags=getattr(instance, "_import_tags", None),
                               actor=self.writer)
