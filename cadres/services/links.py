"""Village assignments (包村/联村), household contacts (联系户) and excused absences."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import StateError

from ..models import Cadre, ExcusedAbsence, Household, HouseholdContact, Village, VillageAssignment
from ..roles import Actor, require_office
from .pyramid import CadreRuleError


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _check_not_future(day: date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise CadreRuleError(_("%(label)s不能晚于今天。") % {"label": label}, field=field)


# --- village assignments ----------------------------------------------------------------------


def assignment_check(
    *, cadre: Cadre, village: Village, role: str, start: date, end: date | None = None, exclude_pk: int | None = None
) -> None:
    """The rules for a new assignment, shared by the service and the forms that preview it."""
    if not cadre.is_active:
        raise CadreRuleError(_("%(name)s 已不在岗，不能包村。") % {"name": cadre.name}, field="cadre")
    if cadre.level == Cadre.Level.VILLAGE:
        raise CadreRuleError(_("包村联村由镇干部承担，村干部不能登记包村。"), field="cadre")
    if village.township_id != cadre.township_id:
        raise CadreRuleError(_("只能包联本镇的村。"), field="village")
    if not village.is_active:
        raise CadreRuleError(_("「%(village)s」已停用。") % {"village": village.name}, field="village")
    if role not in VillageAssignment.Role.values:
        raise CadreRuleError(_("包村角色无效。"), field="role")
    if end is not None and end < start:
        raise CadreRuleError(_("结束日期不能早于开始日期。"), field="end")
    if end is not None:
        return  # a past assignment, recorded for history, conflicts with nothing active
    active = VillageAssignment.objects.filter(village_id=village.pk, end__isnull=True).exclude(pk=exclude_pk)
    if cadre.pk is not None:
        same = active.filter(cadre_id=cadre.pk).first()
        if same is not None:
            raise CadreRuleError(
                _("%(name)s 已在包联「%(village)s」（%(role)s，自%(start)s起），不能重复登记。")
                % {"name": cadre.name, "village": village.name, "role": same.get_role_display(), "start": _day(same.start)},
                field="village",
            )
    if role == VillageAssignment.Role.LEADER:
        leader = active.filter(role=VillageAssignment.Role.LEADER).select_related("cadre").first()
        if leader is not None:
            raise CadreRuleError(
                _("「%(village)s」已有包村领导%(name)s（自%(start)s起）。每村只能有一名包村领导，"
                  "请先结束其包村，或用干部调动移交。")
                % {"village": village.name, "name": leader.cadre.name, "start": _day(leader.start)},
                field="role",
            )


@transaction.atomic
def assignment_create(
    *,
    cadre: Cadre,
    village: Village,
    role: str = VillageAssignment.Role.CADRE,
    start: date,
    end: date | None = None,
    duties: str = "",
    actor: Actor,
) -> VillageAssignment:
    require_office(actor, cadre.township_id)
    # Locking the village serialises concurrent assignments to it (one leading cadre).
    village = Village.objects.select_for_update().get(pk=village.pk)
    assignment_check(cadre=cadre, village=village, role=role, start=start, end=end)
    try:
        with transaction.atomic():
            return VillageAssignment.objects.create(
                cadre=cadre, village=village, role=role, start=start, end=end, duties=duties
            )
    except IntegrityError as exc:
        raise CadreRuleError(_("「%(village)s」的包村登记与现有记录冲突，请刷新后重试。") % {"village": village.name},
                             field="village") from exc


@transaction.atomic
def assignment_end(*, assignment: VillageAssignment, end: date, actor: Actor) -> VillageAssignment:
    rows = VillageAssignment.objects.select_for_update(of=("self",)).select_related("cadre", "village")
    assignment = rows.get(pk=assignment.pk)
    require_office(actor, assignment.cadre.township_id)
    if assignment.end is not None:
        raise StateError(_("该包村已于%(end)s结束。") % {"end": _day(assignment.end)})
    if end < assignment.start:
        raise CadreRuleError(_("结束日期不能早于开始日期（%(start)s）。") % {"start": _day(assignment.start)}, field="end")
    _check_not_future(end, "end", _("结束日期"))
    assignment.end = end
    assignment.save(update_fields=["end"])
    return assignment


@transaction.atomic
def assignment_update_duties(*, assignment: VillageAssignment, duties: str, actor: Actor) -> VillageAssignment:
    rows = VillageAssignment.objects.select_for_update(of=("self",)).select_related("cadre")
    assignment = rows.get(pk=assignment.pk)
    require_office(actor, assignment.cadre.township_id)
    assignment.duties = duties
    assignment.save(update_fields=["duties"])
    return assignment


# --- household contacts --------------------------------------------------------------------------


def contact_check(
    *, cadre: Cadre, household: Household, kind: str, start: date, end: date | None = None,
    exclude_pk: int | None = None,
) -> None:
    if not cadre.is_active:
        raise CadreRuleError(_("%(name)s 已不在岗，不能新增联系户。") % {"name": cadre.name}, field="cadre")
    if household.erased_at is not None:
        raise CadreRuleError(_("该农户的个人信息已按申请删除，不能再登记为联系户。"), field="household")
    if not household.is_active:
        raise CadreRuleError(_("该农户已停用。"), field="household")
    if household.village.township_id != cadre.township_id:
        raise CadreRuleError(_("只能联系本镇的农户。"), field="household")
    if kind not in HouseholdContact.Kind.values:
        raise CadreRuleError(_("联系户类型无效。"), field="kind")
    if end is not None and end < start:
        raise CadreRuleError(_("结束日期不能早于开始日期。"), field="end")
    if end is None and cadre.pk is not None:
        dup = (
            HouseholdContact.objects.filter(cadre_id=cadre.pk, household_id=household.pk, end__isnull=True)
            .exclude(pk=exclude_pk)
            .exists()
        )
        if dup:
            raise CadreRuleError(
                _("%(name)s 已联系户主为%(head)s的农户，不能重复登记。") % {"name": cadre.name, "head": household.head_name},
                field="household",
            )


@transaction.atomic
def contact_create(
    *,
    cadre: Cadre,
    household: Household,
    kind: str = HouseholdContact.Kind.FARMER,
    start: date,
    end: date | None = None,
    help_plan: str = "",
    actor: Actor,
) -> HouseholdContact:
    require_office(actor, cadre.township_id)
    household = Household.objects.select_for_update(of=("self",)).select_related("village").get(pk=household.pk)
    contact_check(cadre=cadre, household=household, kind=kind, start=start, end=end)
    try:
        with transaction.atomic():
            return HouseholdContact.objects.create(
                cadre=cadre, household=household, kind=kind, start=start, end=end, help_plan=help_plan
            )
    except IntegrityError as exc:
        raise CadreRuleError(_("该联系户已登记，请刷新后重试。"), field="household") from exc


def _locked_contact(contact: HouseholdContact, actor: Actor) -> HouseholdContact:
    contact = HouseholdContact.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=contact.pk)
    require_office(actor, contact.cadre.township_id)
    return contact


@transaction.atomic
def contact_end(*, contact: HouseholdContact, end: date, actor: Actor) -> HouseholdContact:
    contact = _locked_contact(contact, actor)
    if contact.end is not None:
        raise StateError(_("该联系户已于%(end)s结束联系。") % {"end": _day(contact.end)})
    if end < contact.start:
        raise CadreRuleError(_("结束日期不能早于开始日期（%(start)s）。") % {"start": _day(contact.start)}, field="end")
    _check_not_future(end, "end", _("结束日期"))
    contact.end = end
    contact.save(update_fields=["end"])
    return contact


@transaction.atomic
def contact_update_plan(*, contact: HouseholdContact, help_plan: str, actor: Actor) -> HouseholdContact:
    contact = _locked_contact(contact, actor)
    if contact.end is not None:
        raise StateError(_("已结束的联系户不能再修改帮扶措施。"))
    contact.help_plan = help_plan
    contact.save(update_fields=["help_plan"])
    return contact


# --- excused absences -------------------------------------------------------------------------------


def absence_validate(absence: ExcusedAbsence) -> None:
    if absence.end < absence.start:
        raise CadreRuleError(_("结束日期不能早于开始日期。"), field="end")
    if (absence.end - absence.start).days > 366:
        raise CadreRuleError(_("一次登记不能超过一年，请分段登记。"), field="end")
    overlap = (
        ExcusedAbsence.objects.filter(cadre_id=absence.cadre_id, start__lte=absence.end, end__gte=absence.start)
        .exclude(pk=absence.pk)
        .first()
    )
    if overlap is not None:
        raise CadreRuleError(
            _("与已登记的%(reason)s（%(start)s至%(end)s）重叠。")
            % {"reason": overlap.get_reason_display(), "start": _day(overlap.start), "end": _day(overlap.end)},
            field="start",
        )


@transaction.atomic
def absence_save(*, absence: ExcusedAbsence, actor: Actor) -> ExcusedAbsence:
    """Record (or correct) a cadre's leave, training or secondment, as the office does."""
    if absence.pk is not None:
        current = ExcusedAbsence.objects.select_for_update(of=("self",)).select_related("cadre").filter(
            pk=absence.pk).first()
        if current is not None:
            require_office(actor, current.cadre.township_id)
    require_office(actor, absence.cadre.township_id)
    absence_validate(absence)
    if absence.recorded_by_id is None:
        absence.recorded_by_id = actor.user_id
    absence.save()
    return absence

