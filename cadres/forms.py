"""Forms of the admin and the staff pages. Rule checks come from the services, so a form shows
the same message (in Chinese, on the right field) that the API and the service would give."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, add_service_errors

from . import services
from .models import (
    Cadre,
    CalendarDay,
    ExcusedAbsence,
    HouseholdContact,
    Post,
    Township,
    Unit,
    VillageAssignment,
)
from .roles import ANONYMOUS, Actor
from .services import CadreRuleError
from .services.pyramid import PRIVILEGED_POSTS, cadre_validate_posts, may_grant_roles


class RuleCheckedForm(forms.ModelForm):
    """After the usual field validation, run the service's rule check on the built instance."""

    def check_rules(self, instance: Any) -> None:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check_rules(self.instance)
        except CadreRuleError as exc:
            add_service_errors(self, exc)


class CadreAdminForm(RuleCheckedForm):
    extra_posts = forms.MultipleChoiceField(
        label=_("兼任职务"), choices=Post.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Cadre
        fields = ["township", "name", "gender", "phone", "political_status", "user", "post", "extra_posts", "level",
                  "unit", "village", "reports_to", "is_active"]
        help_texts = {"reports_to": _("可留空：保存时按职务自动确定上级；填写错误时会提示正确的上级。")}

    # Who is saving (set by the admin's get_form): leader and inspector posts need a superuser or the county.
    actor: Actor = ANONYMOUS

    def check_rules(self, instance: Cadre) -> None:
        services.cadre_validate(instance)
        cadre_validate_posts(instance, actor=self.actor)
        services.cadre_validate_superior(instance)


class UnitAdminForm(RuleCheckedForm):
    class Meta:
        model = Unit
        fields = ["township", "name", "kind", "head", "leader_in_charge", "is_active"]

    def check_rules(self, instance: Unit) -> None:
        services.unit_validate(instance)


class AbsenceForm(RuleCheckedForm):
    class Meta:
        model = ExcusedAbsence
        fields = ["cadre", "start", "end", "reason", "note"]

    def check_rules(self, instance: ExcusedAbsence) -> None:
        services.absence_validate(instance)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["township", "date", "is_workday", "name"]

    def __init__(self, *args: Any, may_edit_national: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_edit_national = may_edit_national

    def clean_township(self) -> Township | None:
        township = self.cleaned_data.get("township")
        if township is None and not self.may_edit_national:
            raise forms.ValidationError(_("全国节假日安排由系统管理员维护；本镇的调整请选择本镇。"))
        return township


class _LinkInlineForm(forms.ModelForm):
    """A row under a cadre: new rows are checked by the service; saved rows only end or change text."""

    locked_fields: tuple[str, ...] = ()
    parent: Cadre | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in self.locked_fields:
                if name in self.fields:
                    self.fields[name].disabled = True
            if self.instance.end is not None:  # an ended row is history: read only
                for field in self.fields.values():
                    field.disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not self.has_changed():
            return data
        try:
            if self.instance.pk is None:
                self.check_new(data)
            elif "end" in self.changed_data and data.get("end"):
                end = data["end"]
                if end < self.instance.start:
                    raise CadreRuleError(_("结束日期不能早于开始日期。"), field="end")
                if end > timezone.localdate():
                    raise CadreRuleError(_("结束日期不能晚于今天。"), field="end")
        except CadreRuleError as exc:
            add_service_errors(self, exc)
        return data

    def check_new(self, data: dict[str, Any]) -> None:
        raise NotImplementedError


class AssignmentInlineForm(_LinkInlineForm):
    locked_fields: tuple[str, ...] = ("village", "role", "start")

    class Meta:
        model = VillageAssignment
        fields = ["village", "role", "start", "end", "duties"]

    def check_new(self, data: dict[str, Any]) -> None:
        cadre = self.parent or getattr(self.instance, "cadre", None)
        if cadre is None or data.get("village") is None or data.get("start") is None:
            return
        services.assignment_check(cadre=cadre, village=data["village"], role=data["role"], start=data["start"],
                                  end=data.get("end"))


class AssignmentAdminForm(AssignmentInlineForm):
    locked_fields = ("cadre", "village", "role", "start")

    class Meta:
        model = VillageAssignment
        fields = ["cadre", "village", "role", "start", "end", "duties"]

    def check_new(self, data: dict[str, Any]) -> None:
        self.parent = data.get("cadre")
        super().check_new(data)


class ContactInlineForm(_LinkInlineForm):
    locked_fields: tuple[str, ...] = ("household", "kind", "start")

    class Meta:
        model = HouseholdContact
        fields = ["household", "kind", "start", "end", "help_plan"]

    def check_new(self, data: dict[str, Any]) -> None:
        cadre = self.parent or getattr(self.instance, "cadre", None)
        if cadre is None or data.get("household") is None or data.get("start") is None:
            return
        services.contact_check(cadre=cadre, household=data["household"], kind=data["kind"], start=data["start"],
                               end=data.get("end"))


class ContactAdminForm(ContactInlineForm):
    locked_fields = ("cadre", "household", "kind", "start")

    class Meta:
        model = HouseholdContact
        fields = ["cadre", "household", "kind", "start", "end", "help_plan"]

    def check_new(self, data: dict[str, Any]) -> None:
        self.parent = data.get("cadre")
        super().check_new(data)


class TransferForm(forms.Form):
    """The admin's transfer step: who takes over, from when, and where the cadre goes."""

    successor = forms.ModelChoiceField(label=_("接替人"), queryset=Cadre.objects.none())
    date = forms.DateField(label=_("调动日期"), widget=DateInput())
    to_post = forms.ChoiceField(
        label=_("新职务"), required=False,
        choices=[("", _("调离本镇（不在岗）")), *Post.choices],
        help_text=_("留空表示调离本镇；选择职务表示在本镇改任。"),
    )
    to_unit = forms.ModelChoiceField(label=_("新站办所"), queryset=Unit.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, cadre: Cadre, successors: Any, units: Any, actor: Actor,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cadre = cadre
        self.actor = actor
        successor: Any = self.fields["successor"]
        successor.queryset = successors.filter(township_id=cadre.township_id, is_active=True).exclude(pk=cadre.pk)
        to_unit: Any = self.fields["to_unit"]
        to_unit.queryset = units.filter(township_id=cadre.township_id)
        self.fields["date"].initial = timezone.localdate()

    def clean_to_post(self) -> str:
        post = self.cleaned_data.get("to_post") or ""
        if post in PRIVILEGED_POSTS and post not in {self.cadre.post, *self.cadre.extra_posts} \
                and not may_grant_roles(self.actor):
            raise forms.ValidationError(
                _("「%(posts)s」带有镇领导或纪委的权限，只能由超级管理员或县级管理员授予。") % {"posts": Post(post).label}
            )
        return post
