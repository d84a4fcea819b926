"""The completeness page's period and grouping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ._fields import DATE_INPUT

MAX_DAYS = 366


class CompletenessForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=DATE_INPUT,
                            error_messages={"invalid": _("请输入有效的起始日期（年-月-日）。"),
                                            "required": _("请填写起始日期。")})
    end = forms.DateField(label=_("截止日期"), widget=DATE_INPUT,
                          error_messages={"invalid": _("请输入有效的截止日期（年-月-日）。"),
                                          "required": _("请填写截止日期。")})
    by = forms.ChoiceField(label=_("汇总方式"), required=False, initial="cadre",
                           choices=[("cadre", _("按干部")), ("unit", _("按单位")), ("village", _("按村"))])

    def __init__(self, *args: Any, groupings: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not groupings:
            # Only those who see every cadre see the groupings; everyone else sees cadre lines.
            del self.fields["by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("截止日期不能早于起始日期。"))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("统计期间最长一年。"))
        data["by"] = data.get("by") or "cadre"
        return data
