"""Forms of the bulletin pages: search the archive, start a compile, edit a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import ModelFigure, Township, Unit
from core.forms import DateInput

from .models import Bulletin
from .services import MAX_PERIOD_DAYS, previous_month_of


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("标题、正文或年份")}))
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *Bulletin.Status.choices])

    def __init__(self, *args: Any, years: list[int], show_status: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部"))] + [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        if not show_status:
            del self.fields["status"]


class CompileForm(forms.Form):
    start = forms.DateField(label=_("期间起"), widget=DateInput)
    end = forms.DateField(label=_("期间止"), widget=DateInput)
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none(), required=False,
                                      empty_label=_("全部乡镇"))

    def __init__(self, *args: Any, townships: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if townships is None:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = townships  # type: ignore[attr-defined]
        if not self.is_bound:
            start, end = previous_month_of(timezone.localdate())
            self.initial.setdefault("start", start)
            self.initial.setdefault("end", end)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("end", _("简报期间最长一年。"))
            elif start > timezone.localdate():
                self.add_error("start", _("开始日期不能晚于今天。"))
        return data


class BulletinEditForm(forms.Form):
    """The editor's part of a draft. Kept apart from the model so every save goes through the service."""

    title = forms.CharField(label=_("标题"), max_length=60)
    editor_note = forms.CharField(label=_("按语"), max_length=5000, required=False, widget=forms.Textarea)
    narrative = forms.CharField(label=_("工作动态（文字）"), max_length=20000, required=False,
                                widget=forms.Textarea(attrs={"rows": 10}),
                                help_text=_("汇总时自动生成；修改后，再次汇总只更新统计数据，不覆盖这里的文字。"))
    model_figures = forms.ModelMultipleChoiceField(label=_("典型经验"), queryset=ModelFigure.objects.none(),
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    outlook = forms.CharField(label=_("下步打算"), max_length=10000, required=False, widget=forms.Textarea)
    editor_unit = forms.ModelChoiceField(label=_("编印单位"), queryset=Unit.objects.none(), required=False)
    signer = forms.CharField(label=_("签发人"), max_length=30, required=False)
    issue_date = forms.DateField(label=_("印发日期"), required=False, widget=DateInput,
                                 help_text=_("留空则以发布当天为印发日期。"))
    distribution_report = forms.CharField(label=_("报"), max_length=300, required=False)
    distribution_send = forms.CharField(label=_("送"), max_length=300, required=False)
    distribution_issue = forms.CharField(label=_("发"), max_length=300, required=False)
    copies = forms.IntegerField(label=_("印数（份）"), min_value=1, max_value=9999)

    def __init__(self, *args: Any, bulletin: Bulletin, figure_choices: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            **{name: getattr(bulletin, name) for name in (
                "title", "editor_note", "narrative", "outlook", "signer", "issue_date", "editor_unit",
                "distribution_report", "distribution_send", "distribution_issue", "copies")},
            "model_figures": [f.pk for f in bulletin.model_figures.all()],
        })
        super().__init__(*args, **kwargs)
        self.fields["model_figures"].queryset = figure_choices  # type: ignore[attr-defined]
        self.fields["model_figures"].label_from_instance = (  # type: ignore[attr-defined]
            lambda f: f"{f.title}（{f.cadre.name if f.cadre_id else f.villager_name}，"
                      f"{f.period_start:%Y-%m-%d}—{f.period_end:%Y-%m-%d}）")
        self.fields["editor_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            township_id=bulletin.township_id, is_active=True)

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "model_figures"}
