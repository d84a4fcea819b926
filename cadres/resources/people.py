"""Cadres and households, as spreadsheets (never an ID-card number)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from import_export import fields

from .. import services
from ..models import Cadre, Household, HouseholdTag, Post, Unit, Village, VillageGroup
from ..scope import cadres_for, households_for, units_for, villages_for
from ..services.pyramid import cadre_validate_posts
from .base import LIST_SEPARATORS, TOWNSHIP_COLUMN, RowErrors, ScopedResource, _choice, _text

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
