"""Output serializers (slugs plus `<field>_display`, ids for references) and input serializers.

Phones are masked (138****5678) unless the caller handles the household (cadres.scope); the
reporting role also gets masked head names (张*) (docs/design.md §2.6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fast import FastRepresentation

from ..models import (
    Cadre,
    Household,
    HouseholdContact,
    HouseholdTag,
    Post,
    School,
    Township,
    Training,
    Unit,
    Village,
    VillageAssignment,
    VillageGroup,
)
from ..roles import Actor, Role
from ..scope import (
    cadres_for,
    household_handler,
    household_name_for,
    households_for,
    mask_name,
    mask_phone,
    phone_visible_household_ids,
    townships_for,
    units_for,
    villages_for,
)


def _actor(serializer: serializers.Field | serializers.BaseSerializer) -> Actor:
    return serializer.context["actor"]


# --- output -----------------------------------------------------------------------------------------


class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "name", "code", "county"]


class SchoolSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)

    class Meta:
        model = School
        fields = ["id", "township", "name", "village", "village_name", "is_active"]
        read_only_fields = fields


class VillageGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageGroup
        fields = ["id", "name", "order"]


class VillageSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    groups = VillageGroupSerializer(many=True, read_only=True)

    class Meta:
        model = Village
        fields = ["id", "township", "name", "code", "kind", "kind_display", "is_active", "groups"]


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    head_name = serializers.CharField(source="head.name", read_only=True, default=None, allow_null=True)
    leader_in_charge_name = serializers.CharField(source="leader_in_charge.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "township", "name", "kind", "kind_display", "head", "head_name", "leader_in_charge",
                  "leader_in_charge_name", "is_active"]


class CadreSerializer(serializers.ModelSerializer):
    post_display = serializers.CharField(source="get_post_display", read_only=True)
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    political_status_display = serializers.CharField(source="get_political_status_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None, allow_null=True)
    village_name = serializers.CharField(source="village.name", read_only=True, default=None, allow_null=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Cadre
        fields = ["id", "township", "name", "gender", "gender_display", "phone", "political_status",
                  "political_status_display", "post", "post_display", "extra_posts", "level", "level_display",
                  "unit", "unit_name", "village", "village_name", "reports_to", "is_active"]

    def get_phone(self, obj: Cadre) -> str:
        actor = _actor(self)
        # Work phones are for the office and the leaders (and the cadre); others see them masked.
        if obj.pk == actor.cadre_id or actor.has(Role.OFFICE, Role.LEADER):
            return obj.phone
        return mask_phone(obj.phone) if obj.phone else ""


class _VisibleListSerializer(serializers.ListSerializer):
    """Works out, once per page, which households the caller handles (two queries, not one per row)."""

    household_attr = "pk"

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if isinstance(data, QuerySet) else data)
        ids = [getattr(row, self.household_attr) for row in rows]
        self.child.visible_ids = phone_visible_household_ids(_actor(self), ids)  # type: ignore[union-attr]
        return [self.child.to_representation(row) for row in rows]  # type: ignore[union-attr]


class _HouseholdListSerializer(_VisibleListSerializer):
    household_attr = "pk"


class _ContactListSerializer(_VisibleListSerializer):
    household_attr = "household_id"


class _Masking:
    visible_ids: set[int] | None = None

    def _visible(self, household_id: int) -> bool:
        if self.visible_ids is None:
            self.visible_ids = phone_visible_household_ids(_actor(self), [household_id])  # type: ignore[arg-type]
        return household_id in self.visible_ids

    def _name(self, household: Household) -> str:
        return household_name_for(_actor(self), household)  # type: ignore[arg-type]

    def _phone(self, household: Household) -> str:
        if not household.phone or household.erased_at is not None:
            return ""
        return household.phone if self._visible(household.pk) else mask_phone(household.phone)


class HouseholdSerializer(_Masking, FastRepresentation, serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default=None, allow_null=True)
    head_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "village", "village_name", "group", "group_name", "head_name", "members", "phone", "tags",
                  "note", "is_active"]
        list_serializer_class = _HouseholdListSerializer

    def get_head_name(self, obj: Household) -> str:
        return self._name(obj)

    def get_phone(self, obj: Household) -> str:
        return self._phone(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, obj: Household) -> list[str]:
        return [t.slug for t in obj.tags.all()]

    def get_note(self, obj: Household) -> str:
        # Free text about a family is personal data: only for those who handle the household.
        return obj.note if self._visible(obj.pk) else ""


# The columns a household list row is built from (household_rows), read with `.values()`: the page
# builds no model instances and needs no prefetch.
HOUSEHOLD_ROW_COLUMNS = (
    "id",
    "village_id",
    "village__name",
    "group_id",
    "group__name",
    "head_name",
    "members",
    "phone",
    "note",
    "is_active",
    "erased_at",
)


def household_rows(actor: Actor, page: list[dict[str, Any]], tags: dict[int, list[str]]) -> list[dict[str, Any]]:
    """HouseholdSerializer's list rows from `.values(*HOUSEHOLD_ROW_COLUMNS)` rows and each
    household's tag slugs: the same masking (household_name_for, phone_visible_household_ids),
    decided in memory for the whole page. tests/cadres/test_api.py checks the rows against the
    serializer's own for every role."""
    handles = household_handler(actor)
    masked_names = actor.is_reporter_only
    out = []
    for row in page:
        pk, erased = row["id"], row["erased_at"] is not None
        visible = handles(pk, row["village_id"])
        name = "" if erased else (mask_name(row["head_name"]) if masked_names else row["head_name"])
        phone = row["phone"]
        if not phone or erased:
            phone = ""
        elif not visible:
            phone = mask_phone(phone)
        out.append(
            {
                "id": pk,
                "village": row["village_id"],
                "village_name": row["village__name"],
                "group": row["group_id"],
                "group_name": row["group__name"],
                "head_name": name,
                "members": row["members"],
                "phone": phone,
                "tags": tags[pk],
                "note": row["note"] if visible else "",
                "is_active": row["is_active"],
            }
        )
    return out


class AssignmentSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = VillageAssignment
        fields = ["id", "cadre", "cadre_name", "village", "village_name", "role", "role_display", "start", "end",
                  "duties", "active"]

    def get_active(self, obj: VillageAssignment) -> bool:
        today = timezone.localdate()
        return obj.start <= today and (obj.end is None or obj.end >= today)


class ContactSerializer(_Masking, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    household_name = serializers.SerializerMethodField()
    help_plan = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = HouseholdContact
        fields = ["id", "cadre", "cadre_name", "household", "household_name", "village", "kind", "kind_display",
                  "start", "end", "help_plan", "active"]
        list_serializer_class = _ContactListSerializer

    def get_household_name(self, obj: HouseholdContact) -> str:
        return self._name(obj.household)

    def get_help_plan(self, obj: HouseholdContact) -> str:
        return obj.help_plan if self._visible(obj.household_id) else ""

    def get_active(self, obj: HouseholdContact) -> bool:
        today = timezone.localdate()
        return obj.start <= today and (obj.end is None or obj.end >= today)


class TrainingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attendees = serializers.IntegerField(read_only=True)
    present = serializers.IntegerField(read_only=True)

    class Meta:
        model = Training
        fields = ["id", "township", "title", "kind", "kind_display", "venue", "village", "date", "hours",
                  "attendees", "present"]


# --- input --------------------------------------------------------------------------------------------


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id the caller may see; anything else is refused as if it did not exist."""

    def __init__(self, scope: Callable[[Actor], QuerySet], model: type[Model], **kwargs: Any) -> None:
        self.scope = scope
        # The model's queryset is only read by the schema generator; lookups use get_queryset().
        kwargs["queryset"] = model._default_manager.all()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.scope(self.context["actor"])


def _townships(actor: Actor) -> QuerySet:
    return townships_for(actor)


def _active_cadres(actor: Actor) -> QuerySet:
    return cadres_for(actor).filter(is_active=True)


class _TownshipDefault:
    """Township from the body, or the caller's own when they belong to exactly one."""

    requires_context = True

    def __call__(self, field: serializers.Field) -> Township | None:
        actor = field.context["actor"]
        return Township.objects.filter(pk=actor.township_id).first() if actor.township_id else None


class _WriteBase(serializers.ModelSerializer):
    township = ScopedPrimaryKeyRelatedField(_townships, Township, required=False, default=_TownshipDefault())

    def validate_township(self, value: Township | None) -> Township:
        if value is None:
            raise serializers.ValidationError(_("请指定乡镇。"))
        return value


class VillageWriteSerializer(_WriteBase):
    groups = serializers.ListField(child=serializers.CharField(max_length=40), required=False, write_only=True,
                                   max_length=60, help_text=_("村民小组名称，按顺序；只会新增，不会删除"))

    class Meta:
        model = Village
        fields = ["township", "name", "code", "kind", "is_active", "groups"]


class UnitWriteSerializer(_WriteBase):
    head = ScopedPrimaryKeyRelatedField(_active_cadres, Cadre, required=False, allow_null=True)
    leader_in_charge = ScopedPrimaryKeyRelatedField(_active_cadres, Cadre, required=False, allow_null=True)

    class Meta:
        model = Unit
        fields = ["township", "name", "kind", "head", "leader_in_charge", "is_active"]


class CadreWriteSerializer(_WriteBase):
    unit = ScopedPrimaryKeyRelatedField(units_for, Unit, required=False, allow_null=True)
    village = ScopedPrimaryKeyRelatedField(villages_for, Village, required=False, allow_null=True)
    reports_to = ScopedPrimaryKeyRelatedField(_active_cadres, Cadre, required=False, allow_null=True)
    extra_posts = serializers.ListField(child=serializers.ChoiceField(choices=Post.choices), required=False,
                                        max_length=5)

    class Meta:
        model = Cadre
        fields = ["township", "name", "gender", "phone", "political_status", "post", "extra_posts", "level", "unit",
                  "village", "reports_to", "is_active"]


class HouseholdWriteSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKeyRelatedField(villages_for, Village)
    group = serializers.PrimaryKeyRelatedField(queryset=VillageGroup.objects.all(), required=False, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=HouseholdTag.objects.all(),
                                        required=False)

    class Meta:
        model = Household
        fields = ["village", "group", "head_name", "members", "phone", "tags", "note", "is_active"]

    def validate_head_name(self, value: str) -> str:
        if any(ch.isdigit() for ch in value):
            raise serializers.ValidationError(_("户主姓名不能包含数字（不要填写身份证号）。"))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        village = attrs.get("village", getattr(self.instance, "village", None))
        group = attrs.get("group", getattr(self.instance, "group", None))
        if group is not None and village is not None and group.village_id != village.pk:
            raise serializers.ValidationError({"group": [_("村民小组不属于所选的村。")]})
        return attrs


class AssignmentCreateSerializer(serializers.Serializer):
    cadre = ScopedPrimaryKeyRelatedField(_active_cadres, Cadre)
    village = ScopedPrimaryKeyRelatedField(villages_for, Village)
    role = serializers.ChoiceField(choices=VillageAssignment.Role.choices, default=VillageAssignment.Role.CADRE)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    duties = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EndSerializer(serializers.Serializer):
    end = serializers.DateField(required=False, help_text=_("结束日期，默认今天"))


class ContactCreateSerializer(serializers.Serializer):
    cadre = ScopedPrimaryKeyRelatedField(_active_cadres, Cadre)
    household = ScopedPrimaryKeyRelatedField(households_for, Household)
    kind = serializers.ChoiceField(choices=HouseholdContact.Kind.choices, default=HouseholdContact.Kind.FARMER)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    help_plan = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ContactUpdateSerializer(serializers.Serializer):
    help_plan = serializers.CharField(allow_blank=True, max_length=4000)


class TrainingWriteSerializer(_WriteBase):
    village = ScopedPrimaryKeyRelatedField(villages_for, Village, required=False, allow_null=True)

    class Meta:
        model = Training
        fields = ["township", "title", "kind", "venue", "village", "date", "hours"]


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("登录名"))


class AccountIssuedSerializer(serializers.Serializer):
    """Shown once: the initial password is never stored in clear and cannot be read again."""

    username = serializers.CharField(read_only=True)
    initial_password = serializers.CharField(read_only=True)
