"""Forms of the agenda: adopting an idea and recording the committee's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.forms._fields import DATE_INPUT


class AdoptForm(forms.Form):
    title = forms.CharField(label=_("议题名称"), max_length=200, required=False,
                            help_text=_("留空则取建议的第一行"))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("决策内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": _("请填写决策内容。")})
    meeting_date = forms.DateField(label=_("会议日期"), required=False, widget=DATE_INPUT)
