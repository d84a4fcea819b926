"""Query filters for the cadres resources. Ids are plain numbers: an id outside the caller's
scope simply matches nothing (no "does not exist" answer that would leak it)."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Cadre, Household, HouseholdContact, Post, Training, Unit, Village, VillageAssignment


def _active(queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    today = timezone.localdate()
    active = Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))
    return queryset.filter(active) if value else queryset.exclude(active)


class VillageFilter(df.FilterSet):
    township = df.NumberFilter(field_name="township_id", label=_("乡镇"))
    kind = df.ChoiceFilter(choices=Village.Kind.choices, label=_("类型"))
    active = df.BooleanFilter(field_name="is_active", label=_("有效"))

    class Meta:
        model = Village
        fields = ["township", "kind", "active"]


class UnitFilter(df.FilterSet):
    township = df.NumberFilter(field_name="township_id", label=_("乡镇"))
    kind = df.ChoiceFilter(choices=Unit.Kind.choices, label=_("类型"))
    active = df.BooleanFilter(field_name="is_active", label=_("有效"))

    class Meta:
        model = Unit
        fields = ["township", "kind", "active"]


class CadreFilter(df.FilterSet):
    township = df.NumberFilter(field_name="township_id", label=_("乡镇"))
    unit = df.NumberFilter(field_name="unit_id", label=_("站办所"))
    village = df.NumberFilter(field_name="village_id", label=_("所在村"))
    post = df.ChoiceFilter(choices=Post.choices, label=_("职务"))
    level = df.ChoiceFilter(choices=Cadre.Level.choices, label=_("层级"))
    active = df.BooleanFilter(field_name="is_active", label=_("在岗"))
    name = df.CharFilter(field_name="name", lookup_expr="icontains", max_length=30, label=_("姓名"))

    class Meta:
        model = Cadre
        fields = ["township", "unit", "village", "post", "level", "active", "name"]


class HouseholdFilter(df.FilterSet):
    village = df.NumberFilter(field_name="village_id", label=_("村"))
    group = df.NumberFilter(field_name="group_id", label=_("村民小组"))
    tag = df.CharFilter(field_name="tags__slug", max_length=40, label=_("标签"))
    active = df.BooleanFilter(field_name="is_active", label=_("有效"))

    class Meta:
        model = Household
        fields = ["village", "group", "tag", "active"]


class AssignmentFilter(df.FilterSet):
    cadre = df.NumberFilter(field_name="cadre_id", label=_("干部"))
    village = df.NumberFilter(field_name="village_id", label=_("村"))
    role = df.ChoiceFilter(choices=VillageAssignment.Role.choices, label=_("角色"))
    active = df.BooleanFilter(method=_active, label=_("当前有效"))

    class Meta:
        model = VillageAssignment
        fields = ["cadre", "village", "role", "active"]


class ContactFilter(df.FilterSet):
    cadre = df.NumberFilter(field_name="cadre_id", label=_("干部"))
    household = df.NumberFilter(field_name="household_id", label=_("农户"))
    village = df.NumberFilter(field_name="household__village_id", label=_("村"))
    kind = df.ChoiceFilter(choices=HouseholdContact.Kind.choices, label=_("类型"))
    active = df.BooleanFilter(method=_active, label=_("当前有效"))

    class Meta:
        model = HouseholdContact
        fields = ["cadre", "household", "village", "kind", "active"]


class TrainingFilter(df.FilterSet):
    kind = df.ChoiceFilter(choices=Training.Kind.choices, label=_("类型"))
    village = df.NumberFilter(field_name="village_id", label=_("村"))
    start = df.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期"))
    end = df.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        model = Training
        fields = ["kind", "village", "start", "end"]
