"""Forms of the agenda: adopting an idea, entering an item, a major item's consultation, the
committee's decision and its publication; the period of the groups of recurring problems."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Village
from supervision.forms._fields import DATE_INPUT
from supervision.models import AgendaItem, Disclosure, Domain, Subject


class AdoptForm(forms.Form):
    title = forms.CharField(label=_("议题名称"), max_length=200, required=False,
                            help_text=_("留空则取建议的第一行"))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("决策内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": _("请填写决策内容。")})
    meeting_date = forms.DateField(label=_("会议日期"), required=False, widget=DATE_INPUT)


class PeriodForm(forms.Form):
    """The period of the groups page: a month by default."""

    start = forms.DateField(label=_("开始日期"), widget=DATE_INPUT, error_messages={"invalid": _("请输入有效的日期。")})
    end = forms.DateField(label=_("结束日期"), widget=DATE_INPUT, error_messages={"invalid": _("请输入有效的日期。")})

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        elif start and end and (end - start).days >= 366:
            self.add_error("end", _("期间不能超过一年。"))
        return data


class ItemForm(forms.Form):
    title = forms.CharField(label=_("议题名称"), max_length=200, error_messages={"required": _("请填写议题名称。")})
    is_major = forms.BooleanField(label=_("重大事项（决策前须征求群众意见）"), required=False)


class ConsultationForm(forms.Form):
    method = forms.ChoiceField(label=_("征求意见方式"), choices=AgendaItem.ConsultationMethod.choices,
                               error_messages={"required": _("请选择征求意见方式。")})
    from_whom = forms.CharField(label=_("征求意见对象"), max_length=200,
                                help_text=_("如：村民代表、党员、受影响农户"),
                                error_messages={"required": _("请填写向谁征求了意见。")})
    summary = forms.CharField(label=_("意见汇总"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("请汇总收集到的意见。")})
    start = forms.DateField(label=_("征求意见起"), widget=DATE_INPUT, error_messages={"required": _("请填写开始日期。")})
    end = forms.DateField(label=_("征求意见止"), widget=DATE_INPUT, error_messages={"required": _("请填写结束日期。")})


class PublishForm(forms.Form):
    domain = forms.ChoiceField(label=_("公开领域"), choices=[(Domain.PARTY, Domain.PARTY.label),
                                                          (Domain.GOVERNMENT, Domain.GOVERNMENT.label)])
    subject_kind = forms.ChoiceField(
        label=_("公开主体"), choices=[(Subject.TOWNSHIP, _("本镇（镇本级）")), (Subject.VILLAGE, _("一个村"))],
        initial=Subject.TOWNSHIP, help_text=_("党委、政府的决策一般由本镇公开；只涉及一个村的，可改为该村公开。"))
    village = forms.ModelChoiceField(label=_("公开的村"), queryset=Village.objects.none(), required=False,
                                     help_text=_("公开主体为一个村时填写。"))
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("公开内容"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    posted_on = forms.DateField(label=_("公开日期"), widget=DATE_INPUT)
    channel = forms.ChoiceField(label=_("公开方式"), choices=Disclosure.Channel.choices)
    display_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=3650, initial=10)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subject_kind") == Subject.VILLAGE and not data.get("village"):
            self.add_error("village", _("请选择公开的村。"))
        return data


class AssessmentNoticeForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    village = forms.ModelChoiceField(label=_("公开的村"), queryset=Village.objects.none(),
                                     error_messages={"required": _("请选择公开的村。")})
    posted_on = forms.DateField(label=_("公开日期"), widget=DATE_INPUT)
    display_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=3650, initial=10)
    channel = forms.ChoiceField(label=_("公开方式"), choices=Disclosure.Channel.choices)
    objection_channel = forms.CharField(label=_("异议反映渠道"), max_length=200,
                                        help_text=_("如：镇纪委电话、党政办地点"),
                                        error_messages={"required": _("请填写异议反映渠道（如电话、地点）。")})

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
