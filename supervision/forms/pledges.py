"""Forms of the pledge pages: issue, progress, scan, assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.forms._fields import FieldAccess
from supervision.models import (
    Pledge,
    PledgeTarget,
    TargetKind,
)
from supervision.services.pledges import points_text


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
