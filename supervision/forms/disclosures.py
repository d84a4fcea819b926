"""Forms of the disclosure pages and the quarterly check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import School, Village
from supervision.forms._fields import DATE, FieldAccess
from supervision.models import (
    Disclosure,
    DisclosureCheckItem,
    DisclosureRequirement,
    Domain,
    Subject,
)


class DisclosureForm(FieldAccess, forms.Form):
    subject_kind = forms.ChoiceField(label=_("公开主体"), choices=Subject.choices, initial=Subject.VILLAGE,
                                     help_text=_("村务属于村，政务属于乡镇（含站所），校务属于学校。"))
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none(), required=False)
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.none(), required=False)
    requirement = forms.ModelChoiceField(label=_("公开类别（对应要求）"), queryset=DisclosureRequirement.objects.none(),
                                         required=False, help_text=_("不在要求之列的事项可不选，另填领域和类别。"))
    domain = forms.ChoiceField(label=_("领域"), choices=[("", "—"), *Domain.choices], required=False)
    category = forms.CharField(label=_("类别"), max_length=60, required=False)
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("公开内容"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    period_start = forms.DateField(label=_("所属期间起"), widget=DATE)
    period_end = forms.DateField(label=_("所属期间止"), widget=DATE)
    decision_date = forms.DateField(label=_("决定日期（重大事项）"), widget=DATE, required=False)
    posted_on = forms.DateField(label=_("公开日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("公开方式"), choices=Disclosure.Channel.choices)
    display_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=3650, initial=10)
    photo = forms.ImageField(label=_("公开栏照片（可选）"), required=False)

    def __init__(self, *args: Any, villages: Any, requirements: list[DisclosureRequirement],
                 schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("village").queryset = villages
        if schools is None:
            # A village cadre posts for their village only: no other subject is offered.
            del self.fields["subject_kind"], self.fields["school"]
        else:
            self._field("school").queryset = schools
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()
        self._field("requirement").queryset = DisclosureRequirement.objects.filter(pk__in=[r.pk for r in requirements])


class ItemAdjustForm(forms.Form):
    result = forms.ChoiceField(label=_("检查结果"), choices=DisclosureCheckItem.Result.choices)
    reason = forms.CharField(label=_("调整理由"), max_length=300)


class CheckReviewForm(forms.Form):
    notes = forms.CharField(label=_("审核意见"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class QuarterRunForm(forms.Form):
    quarter = forms.CharField(label=_("季度（如 2026Q3）"), max_length=10)
