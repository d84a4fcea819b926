"""Forms of the inspection pages: inspection, finding, rectification, finding to matter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Unit, Village
from supervision.forms._fields import DATE, FieldAccess
from supervision.models import (
    Category,
    Inspection,
    InspectionFinding,
)


class InspectionForm(FieldAccess, forms.Form):
    date = forms.DateField(label=_("督查日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("方式"), choices=Inspection.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    subject_type = forms.ChoiceField(label=_("督查对象类型"), choices=Inspection.SubjectType.choices)
    subject_cadre = forms.ModelChoiceField(label=_("对象干部"), queryset=Cadre.objects.none(), required=False)
    subject_unit = forms.ModelChoiceField(label=_("对象单位"), queryset=Unit.objects.none(), required=False)
    subject_village = forms.ModelChoiceField(label=_("对象村"), queryset=Village.objects.none(), required=False)
    inspectors = forms.ModelMultipleChoiceField(label=_("督查人员"), queryset=Cadre.objects.none(), required=False,
                                                help_text=_("不选则为本人。"))
    summary = forms.CharField(label=_("情况概述"), max_length=10000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, cadres: Any, units: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("subject_cadre").queryset = cadres
        self._field("inspectors").queryset = cadres
        self._field("subject_unit").queryset = units
        self._field("subject_village").queryset = villages

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("subject_type")
        if kind and not data.get(f"subject_{kind}"):
            self.add_error(f"subject_{kind}", _("请选择督查对象。"))
        return data

    def subject(self) -> Any:
        return self.cleaned_data[f"subject_{self.cleaned_data['subject_type']}"]


class FindingForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), choices=InspectionFinding.Category.choices)
    description = forms.CharField(label=_("问题描述"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    action = forms.ChoiceField(label=_("处理方式"), choices=[("", "—"), *InspectionFinding.Action.choices],
                               required=False)
    rectification_deadline = forms.DateField(label=_("整改期限"), widget=DATE, required=False)


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("整改情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RaiseMatterForm(FieldAccess, forms.Form):
    village = forms.ModelChoiceField(label=_("问题所在村"), queryset=Village.objects.none(), required=False)
    category = forms.ChoiceField(label=_("台账类别"), choices=Category.choices, initial=Category.OTHER)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("village").queryset = villages
