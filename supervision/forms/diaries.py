"""Forms of the diary pages: write, comment, filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Household, Unit, Village
from core.search import MAX_QUERY_LENGTH
from supervision.forms._fields import (
    DATE_INPUT,
    GroupedModelChoiceField,
    HouseholdField,
    HouseholdPicker,
    _date_label,
)
from supervision.models import TEXT_LIMIT, Category, PlanMilestone


class MilestoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanMilestone) -> str:  # type: ignore[override]
        return f"{obj.plan.village.name} · {obj.plan.title} · {obj.title}"


class DiaryForm(forms.Form):
    """At most four required inputs, three of them already filled: date, village, category, situation."""

    date = forms.TypedChoiceField(
        label=_("日期"), coerce=dt.date.fromisoformat,
        error_messages={"invalid_choice": _("只能选择今天或可补写的漏写日期。")},
    )
    village = GroupedModelChoiceField(
        label=_("走访村"), queryset=Village.objects.none(),
        error_messages={"invalid_choice": _("所选村不属于您所在的乡镇。"), "required": _("请选择走访村。")},
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    situation = forms.CharField(
        label=_("民情"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("走访所见所闻、群众反映的情况"), error_messages={"required": _("请填写民情。")},
    )
    problems = forms.CharField(label=_("新问题"), max_length=TEXT_LIMIT, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    ideas = forms.CharField(label=_("新思路"), max_length=TEXT_LIMIT, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}), help_text=_("供党委政府决策参考的建议"))
    households = HouseholdField(label=_("走访农户"), queryset=Household.objects.none(), required=False,
                                widget=HouseholdPicker,
                                error_messages={"invalid_choice": _("所选农户不在可选范围内。"),
                                                "invalid_pk_value": _("所选农户不在可选范围内。")})
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    people_met = forms.CharField(label=_("走访对象"), max_length=200, required=False)
    milestone = MilestoneChoiceField(label=_("推进的规划节点"), queryset=PlanMilestone.objects.none(), required=False,
                                     help_text=_("这次走访推进了哪个发展规划节点（可不选）"),
                                     error_messages={"invalid_choice": _("所选规划节点不在可选范围内。")})

    def __init__(
        self,
        *args: Any,
        cadre: Cadre,
        dates: list[dt.date] | None,
        today: dt.date,
        villages: tuple[list[Village], list[Village]],
        households: tuple[list[Household], list[Household]],
        milestones: list[PlanMilestone] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if milestones:
            fields["milestone"].queryset = PlanMilestone.objects.filter(pk__in=[m.pk for m in milestones])
            fields["milestone"].choices = [("", "---------"), *((m.pk, fields["milestone"].label_from_instance(m))
                                                                for m in milestones)]
        else:
            del self.fields["milestone"]
        if dates is None:
            del self.fields["date"]  # editing: the day is the diary's identity
        else:
            fields["date"].choices = [(d.isoformat(), _date_label(d, today)) for d in dates]
        mine, others = villages
        fields["village"].queryset = Village.objects.filter(pk__in=[v.pk for v in [*mine, *others]])
        fields["village"].set_groups([(_("我包联的村"), mine), (_("本镇其他村"), others)])
        contacts, nearby = households
        fields["households"].queryset = Household.objects.filter(pk__in=[h.pk for h in [*contacts, *nearby]])
        fields["households"].set_groups([(_("我的联系户"), contacts), (_("包联村农户"), nearby)])
        # Contact households first, as tap targets; the chips exist only when there are contacts.
        fields["households"].widget.attrs["data-chips-first"] = "1" if contacts else ""
        fields["households"].widget.attrs["data-search-url"] = reverse("diary-household-search")
        for name in ("situation", "problems", "ideas"):
            self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT


class CommentForm(forms.Form):
    text = forms.CharField(label=_("批示内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写批示内容。")})


class DiaryFilterForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村"), queryset=Village.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("全部")), *Category.choices], required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("截止日期"), required=False, widget=DATE_INPUT)
    # No max_length here: core.search.parse_query says what is wrong with a query.
    q = forms.CharField(
        label=_("搜索"), required=False, strip=True,
        widget=forms.TextInput(attrs={
            "type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": _("民情、问题、思路中的词，空格分开"),
        }),
    )

    def __init__(self, *args: Any, villages: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["village"].queryset = villages
        fields["unit"].queryset = units
