"""Villages (with their groups) and units, as spreadsheets."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from import_export import fields

from .. import services
from ..models import Cadre, Township, Unit, Village
from ..scope import cadres_for, villages_for
from ..services import CadreRuleError
from .base import LIST_SEPARATORS, TOWNSHIP_COLUMN, RowErrors, ScopedResource, _choice, _text

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
