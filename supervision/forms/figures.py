"""The short form that proposes a model figure (典型) from a diary or a matter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre

from ._fields import DATE_INPUT


class FigureProposalForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    cadre = forms.ModelChoiceField(label=_("干部"), queryset=Cadre.objects.none(), required=False,
                                   help_text=_("推荐干部时选择；推荐群众时留空并填写群众姓名。"))
    villager_name = forms.CharField(label=_("群众姓名"), max_length=30, required=False)
    story = forms.CharField(label=_("事迹"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    period_start = forms.DateField(label=_("期间起"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("期间止"), widget=DATE_INPUT)

    def __init__(self, *args, cadres=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if cadres is not None:
            self.fields["cadre"].queryset = cadres  # type: ignore[attr-defined]
