"""Fields and widgets the supervision forms share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Household
from core.forms import DateInput

DATE_INPUT = DateInput()


def _date_label(day: dt.date, today: dt.date) -> str:
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{_('今天')}）" if day == today else f"{text}（{_('补写')}）"


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A select whose options come in labelled groups (mine first, then the rest)."""

    def set_groups(self, groups: list[tuple[str, list[Any]]]) -> None:
        self.choices = [("", "---------")] + [
            (str(label), [(obj.pk, self.label_from_instance(obj)) for obj in objs]) for label, objs in groups if objs
        ]


class GroupedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def set_groups(self, groups: list[tuple[str, list[Any]]]) -> None:
        self.choices = [
            (str(label), [(obj.pk, self.label_from_instance(obj)) for obj in objs]) for label, objs in groups if objs
        ]


class HouseholdField(GroupedModelMultipleChoiceField):
    def label_from_instance(self, obj: Household) -> str:  # type: ignore[override]
        return f"{obj.village.name} · {obj.head_name}"


class HouseholdChoiceField(GroupedModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:  # type: ignore[override]
        return f"{obj.village.name} · {obj.head_name}"


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:  # type: ignore[override]
        return f"{obj.name}（{obj.unit.name if obj.unit else ''}）"


DATE = DateInput()


class FieldAccess:
    """`self._field(name)`: a form field typed as Any, to set its queryset or choices at runtime."""

    fields: dict[str, Any]

    def _field(self, name: str) -> Any:
        return self.fields[name]
