"""Forms of the village development plans: they parse and present; the plan services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Village
from core.forms import DateInput

DATE = DateInput()


class PlanForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村"), queryset=Village.objects.none(),
                                     error_messages={"invalid_choice": _("只能为您包联的村起草规划。")})
    title = forms.CharField(label=_("规划名称"), max_length=200, error_messages={"required": _("请填写规划名称。")})
    period_start = forms.DateField(label=_("规划期起"), widget=DATE)
    period_end = forms.DateField(label=_("规划期止"), widget=DATE)
    background = forms.CharField(label=_("基本情况"), max_length=10000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, villages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if villages is None:
            del self.fields["village"]
        else:
            fields: Any = self.fields
            fields["village"].queryset = villages


class GoalForm(forms.Form):
    indicator = forms.CharField(label=_("指标"), max_length=200, error_messages={"required": _("请填写指标。")},
                                help_text=_("如：新建日光温室"))
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    baseline = forms.DecimalField(label=_("基数"), max_digits=14, decimal_places=2, required=False)
    target = forms.DecimalField(label=_("目标值"), max_digits=14, decimal_places=2)


class ResponsibleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:  # type: ignore[override]
        return obj.name


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200, error_messages={"required": _("请填写节点名称。")})
    due = forms.DateField(label=_("完成期限"), widget=DATE)
    responsible = ResponsibleField(label=_("责任人"), queryset=Cadre.objects.none(), required=False)

    def __init__(self, *args: Any, cadres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["responsible"].queryset = cadres


class DoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(
        label=_("佐证材料（图片或 PDF，可不传）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf",
                                               "capture": "environment"}),
    )


class AchievedForm(forms.Form):
    achieved = forms.DecimalField(label=_("完成值"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("依据"), max_length=500, error_messages={"required": _("请说明完成值的依据。")})


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("请填写退回理由。")})


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("修订理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写修订理由。")})
    title = forms.CharField(label=_("规划名称"), max_length=200, required=False)
    period_end = forms.DateField(label=_("规划期止"), required=False, widget=DATE)
    milestone_title = forms.CharField(label=_("新增节点"), max_length=200, required=False)
    milestone_due = forms.DateField(label=_("新增节点期限"), required=False, widget=DATE)
