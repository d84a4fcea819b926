"""Fields and widgets the supervision forms share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Household
from core.forms import DateInput

DATE_INPUT = DateInput()


def _date_label(day: dt.date, today: dt.date) -> str:
    text = date_format(day, "DATE_FORMAT")
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


class HouseholdPicker(forms.SelectMultiple):
    """The diary's household picker: the first group (my contact households) as tap targets
    (checkbox chips), the rest in a multi-select that static/js/diary.js turns into a search in
    the chosen village. Both submit under the field's name, so the server checks them the same."""

    template_name = "supervision/widgets/household_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        groups = context["widget"]["optgroups"]
        chips, rest = (groups[:1], groups[1:]) if groups and self.attrs.get("data-chips-first") else ([], groups)
        context["widget"]["chips"] = [option for _group, options, _index in chips for option in options]
        context["widget"]["chips_label"] = chips[0][0] if chips else ""
        context["widget"]["rest"] = rest
        context["widget"]["search_url"] = self.attrs.get("data-search-url", "")
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's templates/ folder, which the default form renderer does not search.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


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
