"""Forms of the matter pages: raise, assign, resolve, revisit, close, filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Household, Unit, Village
from core.search import MAX_QUERY_LENGTH
from supervision.forms._fields import DATE_INPUT, CadreChoiceField, GroupedModelChoiceField, HouseholdChoiceField
from supervision.models import Category, Matter

SOURCE_CHOICES = [(value, label) for value, label in Matter.Source.choices if value != Matter.Source.DIARY]


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


class DiaryMatterForm(forms.Form):
    """A matter raised from a diary: prefilled from it (category, problem text, household), editable."""

    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    description = forms.CharField(label=_("问题描述"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请填写问题描述。")})
    household = HouseholdChoiceField(label=_("农户"), queryset=Household.objects.none(), required=False,
                                     error_messages={"invalid_choice": _("请选择这篇日记走访的农户。")})

    def __init__(self, *args: Any, households: list[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        # Only the diary's own households: the matter is about what the diary found.
        fields["household"].queryset = Household.objects.filter(pk__in=[h.pk for h in households])
        fields["household"].set_groups([(_("日记走访的农户"), households)])


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
    # No max_length here: core.search.parse_query says what is wrong with a query.
    q = forms.CharField(
        label=_("搜索"), required=False, strip=True,
        widget=forms.TextInput(attrs={
            "type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": _("问题描述、办理结果中的词"),
        }),
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["village"].queryset = villages
