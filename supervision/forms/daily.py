"""Forms of the daily loop: diaries, comments, ideas, matters and their actions.

Forms only parse and present; the services decide (dates, villages, who may act) and their
ValidationErrors land on the same fields, so a failed submit keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Household, Unit, Village
from core.forms import DateInput
from supervision.models import TEXT_LIMIT, Category, Matter, PlanMilestone

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
        for name in ("situation", "problems", "ideas"):
            self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT


class CommentForm(forms.Form):
    text = forms.CharField(label=_("批示内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写批示内容。")})


class AdoptForm(forms.Form):
    title = forms.CharField(label=_("议题名称"), max_length=200, required=False,
                            help_text=_("留空则取建议的第一行"))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("决策内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": _("请填写决策内容。")})
    meeting_date = forms.DateField(label=_("会议日期"), required=False, widget=DATE_INPUT)


class DiaryFilterForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村"), queryset=Village.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=[("", _("全部")), *Category.choices], required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("截止日期"), required=False, widget=DATE_INPUT)
    q = forms.CharField(label=_("搜索"), max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("民情、问题、思路中的文字")}))

    def __init__(self, *args: Any, villages: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["village"].queryset = villages
        fields["unit"].queryset = units


# --- matters --------------------------------------------------------------------------------------

SOURCE_CHOICES = [(value, label) for value, label in Matter.Source.choices if value != Matter.Source.DIARY]


class HouseholdChoiceField(GroupedModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:  # type: ignore[override]
        return f"{obj.village.name} · {obj.head_name}"


class MatterForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=SOURCE_CHOICES)
    external_ref = forms.CharField(label=_("外部编号"), max_length=60, required=False,
                                   help_text=_("12345 工单号、信访件编号等"))
    village = GroupedModelChoiceField(label=_("村"), queryset=Village.objects.none(),
                                      error_messages={"invalid_choice": _("所选村不属于您所在的乡镇。")})
    household = HouseholdChoiceField(label=_("农户"), queryset=Household.objects.none(), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    description = forms.CharField(label=_("问题描述"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请填写问题描述。")})

    def __init__(self, *args: Any, villages: tuple[list[Village], list[Village]],
                 households: tuple[list[Household], list[Household]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        mine, others = villages
        fields["village"].queryset = Village.objects.filter(pk__in=[v.pk for v in [*mine, *others]])
        fields["village"].set_groups([(_("我包联的村"), mine), (_("本镇其他村"), others)])
        contacts, nearby = households
        fields["household"].queryset = Household.objects.filter(pk__in=[h.pk for h in [*contacts, *nearby]])
        fields["household"].set_groups([(_("我的联系户"), contacts), (_("包联村农户"), nearby)])


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:  # type: ignore[override]
        return f"{obj.name}（{obj.unit.name if obj.unit else ''}）"


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(),
                                  error_messages={"invalid_choice": _("承办单位不在可选范围内。")})
    assignee = CadreChoiceField(label=_("承办人"), queryset=Cadre.objects.none(), required=False)
    deadline = forms.DateField(label=_("办理期限"), required=False, widget=DATE_INPUT,
                               help_text=_("留空则按类别的默认期限"))
    note = forms.CharField(label=_("交办说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: Any, cadres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = units
        fields["assignee"].queryset = cadres


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("办理结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": _("请填写办理结果。")})
    evidence = forms.FileField(
        label=_("佐证材料（图片或 PDF，可不传）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class RevisitForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("群众满意度"), choices=Matter.Satisfaction.choices,
                                     widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访记录"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("销号说明"), max_length=2000, required=False)


class MatterFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *Matter.Status.choices], required=False)
    light = forms.ChoiceField(
        label=_("期限"), required=False,
        choices=[("", _("全部")), ("red", _("逾期")), ("yellow", _("临期")), ("green", _("正常"))],
    )
    village = forms.ModelChoiceField(label=_("村"), queryset=Village.objects.none(), required=False)
    mine = forms.BooleanField(label=_("只看我的"), required=False)
    unassigned = forms.BooleanField(label=_("已交办、未指定承办人"), required=False)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["village"].queryset = villages
