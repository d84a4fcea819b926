"""Forms of the duties pages (pledges, disclosures, inspections). They validate the shape of the
input; the rules themselves live in the services, whose errors are attached back to the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Unit, Village
from core.forms import DateInput
from supervision.models import (
    Category,
    Disclosure,
    DisclosureCheckItem,
    DisclosureRequirement,
    Domain,
    Inspection,
    InspectionFinding,
    Pledge,
    PledgeTarget,
    TargetKind,
)
from supervision.services.pledges import points_text

DATE = DateInput()


class FieldAccess:
    """`self._field(name)`: a form field typed as Any, to set its queryset or choices at runtime."""

    fields: dict[str, Any]

    def _field(self, name: str) -> Any:
        return self.fields[name]


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the field exists."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- pledges ------------------------------------------------------------------------------------


class PledgeProgressForm(FieldAccess, forms.Form):
    target = forms.ModelChoiceField(label=_("目标"), queryset=PledgeTarget.objects.none())
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int, choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]
    )
    report = forms.CharField(label=_("进展情况"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, pledge: Pledge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("target").queryset = pledge.targets.all()


class PledgeScanForm(forms.Form):
    scan = forms.FileField(label=_("签字盖章扫描件（PDF 或图片）"))


class PledgeIssueForm(FieldAccess, forms.Form):
    pledgers = forms.MultipleChoiceField(label=_("责任方"), widget=forms.CheckboxSelectMultiple)
    bonus_cap = forms.DecimalField(label=_("加分上限"), initial=Decimal("10"), min_value=0, max_value=100,
                                   max_digits=4, decimal_places=1)
    issue = forms.BooleanField(label=_("立即下达（不勾选则保存为草稿）"), required=False, initial=True)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.pk): c for c in candidates}
        self._field("pledgers").choices = [(str(c.pk), str(c)) for c in candidates]

    def chosen(self) -> list[Any]:
        return [self.candidates[pk] for pk in self.cleaned_data["pledgers"]]


class PledgeAssessForm(forms.Form):
    """One row of fields per target: deduction for base targets, bonus for bonus targets, a
    failed box for veto targets, and a note."""

    def __init__(self, *args: Any, targets: list[PledgeTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for t in targets:
            if t.kind == TargetKind.BASE:
                self.fields[f"deduction_{t.pk}"] = forms.DecimalField(
                    label=_("扣分：%(task)s（%(p)s分）") % {"task": t.task, "p": points_text(t.points)},
                    min_value=0, max_value=t.points, max_digits=5, decimal_places=1, initial=0,
                    help_text=_("有本年度公开检查结果时按检查折算，此处不计。") if t.auto_source == "disclosure" else "")
            elif t.kind == TargetKind.BONUS:
                self.fields[f"bonus_{t.pk}"] = forms.DecimalField(
                    label=_("加分：%(task)s（至多%(p)s分）") % {"task": t.task, "p": points_text(t.points)},
                    min_value=0, max_value=t.points, max_digits=5, decimal_places=1, initial=0)
            elif t.kind == TargetKind.VETO:
                self.fields[f"failed_{t.pk}"] = forms.BooleanField(
                    label=_("未完成（一票否决）：%(task)s") % {"task": t.task}, required=False)
            self.fields[f"note_{t.pk}"] = forms.CharField(
                label=_("说明：%(task)s") % {"task": t.task}, max_length=500, required=False)

    def results(self) -> dict[int, Any]:
        from supervision.services.pledges import TargetResult

        data = self.cleaned_data
        return {
            t.pk: TargetResult(
                deduction=data.get(f"deduction_{t.pk}") or Decimal("0"),
                bonus=data.get(f"bonus_{t.pk}") or Decimal("0"),
                failed=bool(data.get(f"failed_{t.pk}")),
                note=data.get(f"note_{t.pk}") or "",
            )
            for t in self.targets
        }


# --- disclosures --------------------------------------------------------------------------------


class DisclosureForm(FieldAccess, forms.Form):
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none())
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

    def __init__(self, *args: Any, villages: Any, requirements: list[DisclosureRequirement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("village").queryset = villages
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


# --- inspections --------------------------------------------------------------------------------


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
