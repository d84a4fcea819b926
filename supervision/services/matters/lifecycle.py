"""One service per transition of a matter: create, assign, start, resolve, revisit, close."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre, Household, Unit, Village
from cadres.roles import Actor, Role
from core.errors import NotAllowed, StateError
from core.uploads import clean_upload
from supervision.models import Category, Diary, Matter
from supervision.notifications import NotificationKind
from supervision.search import index_matter
from supervision.services._common import check_length, cn_date, notify_after_commit, office_users, require_text
from supervision.services.matters.rules import (
    DESCRIPTION_LIMIT,
    NOTE_LIMIT,
    S,
    _event,
    _locked,
    _url,
    _user_of,
    can_assign,
    can_close,
    can_create,
    can_handle,
    can_raise_from_diary,
    can_revisit,
    default_deadline,
)


# Long on purpose: every field is checked (one line each) before the one write and its timeline entry.
@transaction.atomic
def matter_create(
    *,
    actor: Actor,
    village: Village | None = None,
    category: str | None = None,
    description: str = "",
    source: str | None = None,
    diary: Diary | None = None,
    household: Household | None = None,
    external_ref: str = "",
    finding: Any = None,
    today: date | None = None,
) -> Matter:
    """登记. From a diary in one step (village, category and problem text copied unless given),
    or from an inspection, a 12345 call, a 信访 petition or a villager, with its reference."""
    today = today or timezone.localdate()
    if diary is not None:
        source = Matter.Source.DIARY
        if not can_raise_from_diary(actor, diary):
            raise NotAllowed(_("您不能把这篇日记转为问题台账。"))
        village = village or diary.village
        category = category or diary.category
        description = (description or "").strip() or diary.problems.strip() or diary.situation.strip()
        if village.pk != diary.village_id and village.township_id != diary.township_id:
            raise ValidationError({"village": _("所选村与日记不在同一乡镇。")})
    else:
        source = source or Matter.Source.VILLAGER
        if source == Matter.Source.DIARY:
            raise ValidationError({"diary": _("来源为民情日记时请选择日记。")})
    if source not in Matter.Source.values:
        raise ValidationError({"source": _("请选择正确的来源。")})
    if not can_create(actor):
        raise NotAllowed(_("只有干部或党政办可以登记问题。"))
    own_diary = diary is not None and actor.cadre_id == diary.author_id
    if (
        Role.INSPECTOR in actor.roles and source != Matter.Source.INSPECTION and not own_diary
        and not actor.has(Role.LEADER, Role.OFFICE)
    ):
        raise NotAllowed(_("纪委对问题台账只读，只能登记督查发现的问题。"))
    if village is None:
        raise ValidationError({"village": _("请选择村。")})
    if not village.is_active or (actor.township_ids is not None and village.township_id not in actor.township_ids):
        raise ValidationError({"village": _("所选村不属于您所在的乡镇。")})
    if Role.VILLAGE_CADRE in actor.roles and not actor.township_wide and actor.cadre and village.pk != actor.cadre.village_id:
        raise ValidationError({"village": _("村干部只能登记本村的问题。")})
    if household is not None and household.village_id != village.pk:
        raise ValidationError({"household": _("所选农户不属于%(village)s。") % {"village": village.name}})
    category = category or Category.OTHER
    if category not in Category.values:
        raise ValidationError({"category": _("请选择正确的类别。")})
    description = require_text("description", description, _("请填写问题描述。"))
    check_length("description", description, DESCRIPTION_LIMIT)
    external_ref = (external_ref or "").strip()
    check_length("external_ref", external_ref, 60)
    matter = Matter.objects.create(
        township_id=village.township_id, source=source, external_ref=external_ref, diary=diary, finding=finding,
        village=village, household=household, category=category, description=description,
        raised_by=actor.cadre, deadline=default_deadline(category, today),
    )
    _event(matter, actor, "create", "", _("来源：%(source)s") % {"source": matter.get_source_display()})
    index_matter(matter)
    township_id = matter.township_id
    notify_after_commit(
        users=lambda: office_users(township_id),
        kind=NotificationKind.MATTER_UPDATED,
        title=_("新登记问题待交办：%(text)s") % {"text": description[:40]},
        body=_("%(village)s · %(category)s") % {"village": village.name, "category": matter.get_category_display()},
        url=_url(matter),
    )
    return matter


@transaction.atomic
def matter_assign(
    *,
    actor: Actor,
    matter: Matter,
    unit: Unit,
    assignee: Cadre | None = None,
    deadline: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Matter:
    """交办 (or reassign) to a unit and optionally one of its cadres, with a deadline."""
    matter = _locked(matter)
    if not can_assign(actor, matter):
        raise NotAllowed(_("只有党政办、镇领导或本单位负责人可以交办。"))
    if not actor.has(Role.OFFICE, Role.LEADER) and unit.pk not in actor.unit_ids_headed:
        raise NotAllowed(_("站办所负责人只能在本单位内交办。"))
    if matter.status not in (S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS):
        raise StateError(_("事项已%(status)s，不能再交办。") % {"status": matter.get_status_display()})
    if unit.township_id != matter.township_id or not unit.is_active:
        raise ValidationError({"unit": _("承办单位不属于本乡镇。")})
    if assignee is not None and (assignee.unit_id != unit.pk or not assignee.is_active):
        raise ValidationError({"assignee": _("承办人必须是承办单位的在岗干部。")})
    today = today or timezone.localdate()
    if deadline is not None and deadline < today:
        raise ValidationError({"deadline": _("办理期限不能早于今天。")})
    note = (note or "").strip()
    check_length("note", note, NOTE_LIMIT)
    from_status = matter.status
    action = "assign" if from_status == S.REGISTERED else "reassign"
    matter.unit, matter.assignee = unit, assignee
    matter.deadline = deadline or matter.deadline or default_deadline(matter.category, today)
    matter.status = S.ASSIGNED
    matter.assigned_at = timezone.now()
    matter.started_at = None
    matter.save(update_fields=["unit", "assignee", "deadline", "status", "assigned_at", "started_at", "updated_at"])
    who = assignee.name if assignee else unit.name
    _event(matter, actor, action, from_status,
           note or _("交办给 %(who)s，期限 %(deadline)s") % {"who": who, "deadline": cn_date(matter.deadline)})
    recipient = _user_of(assignee) or _user_of(unit.head)
    notify_after_commit(
        users=lambda: [recipient],
        kind=NotificationKind.MATTER_ASSIGNED,
        title=_("交办事项：%(text)s") % {"text": matter.description[:40]},
        body=_("办理期限：%(deadline)s") % {"deadline": cn_date(matter.deadline)},
        url=_url(matter),
    )
    return matter


@transaction.atomic
def matter_start(*, actor: Actor, matter: Matter) -> Matter:
    matter = _locked(matter)
    if not can_handle(actor, matter):
        raise NotAllowed(_("只有承办人或承办单位负责人可以办理。"))
    if matter.status != S.ASSIGNED:
        raise StateError(_("只有已交办的事项才能开始办理（当前：%(status)s）。") % {"status": matter.get_status_display()})
    matter.status = S.IN_PROGRESS
    matter.started_at = timezone.now()
    matter.save(update_fields=["status", "started_at", "updated_at"])
    _event(matter, actor, "start", S.ASSIGNED)
    return matter


@transaction.atomic
def matter_resolve(
    *, actor: Actor, matter: Matter, resolution: str, evidence: UploadedFile | None = None
) -> Matter:
    matter = _locked(matter)
    if not can_handle(actor, matter):
        raise NotAllowed(_("只有承办人或承办单位负责人可以办结。"))
    if matter.status != S.IN_PROGRESS:
        raise StateError(_("只有办理中的事项才能办结（当前：%(status)s）。") % {"status": matter.get_status_display()})
    resolution = require_text("resolution", resolution, _("请填写办理结果。"))
    check_length("resolution", resolution, DESCRIPTION_LIMIT)
    fields = ["status", "resolution", "resolved_at", "updated_at"]
    if evidence is not None:
        try:
            clean = clean_upload(evidence, kinds=("image", "pdf"))
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
        matter.evidence.save(clean.name or "evidence", clean, save=False)
        fields.append("evidence")
    matter.status = S.RESOLVED
    matter.resolution = resolution
    matter.resolved_at = timezone.now()
    matter.save(update_fields=fields)
    _event(matter, actor, "resolve", S.IN_PROGRESS, resolution[:500])
    index_matter(matter)
    raiser = matter.raised_by
    township_id = matter.township_id
    notify_after_commit(
        users=lambda: [_user_of(raiser)] if raiser else office_users(township_id),
        kind=NotificationKind.MATTER_UPDATED,
        title=_("事项已办结，请回访：%(text)s") % {"text": matter.description[:40]},
        body=resolution[:500],
        url=_url(matter),
    )
    return matter


@transaction.atomic
def matter_revisit(*, actor: Actor, matter: Matter, satisfaction: str, note: str = "") -> Matter:
    """回访. 不满意 sends the matter back to 办理中 (退回)."""
    matter = _locked(matter)
    if not can_revisit(actor, matter):
        raise NotAllowed(_("只有登记人或党政办可以回访。"))
    if matter.status != S.RESOLVED:
        raise StateError(_("只有已办结的事项才能回访（当前：%(status)s）。") % {"status": matter.get_status_display()})
    if satisfaction not in Matter.Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择满意度：满意、基本满意或不满意。")})
    note = (note or "").strip()
    check_length("note", note, NOTE_LIMIT)
    matter.satisfaction = satisfaction
    matter.revisit_note = note
    matter.revisited_at = timezone.now()
    reopened = satisfaction == Matter.Satisfaction.UNSATISFIED
    matter.status = S.IN_PROGRESS if reopened else S.REVISITED
    matter.save(update_fields=["satisfaction", "revisit_note", "revisited_at", "status", "updated_at"])
    label = matter.get_satisfaction_display()
    _event(matter, actor, "return" if reopened else "revisit", S.RESOLVED,
           f"{label}{'：' + note if note else ''}")
    # As when it was assigned: the named assignee, or else the head of the unit it went to.
    assignee_user = _user_of(matter.assignee) or (_user_of(matter.unit.head) if matter.unit else None)
    township_id = matter.township_id
    if reopened:
        notify_after_commit(
            users=lambda: [assignee_user],
            kind=NotificationKind.MATTER_UPDATED,
            title=_("回访不满意，事项退回重办：%(text)s") % {"text": matter.description[:40]},
            body=note[:500],
            url=_url(matter),
        )
    else:
        notify_after_commit(
            users=lambda: office_users(township_id),
            kind=NotificationKind.MATTER_UPDATED,
            title=_("事项已回访（%(label)s），待销号：%(text)s") % {"label": label, "text": matter.description[:40]},
            url=_url(matter),
        )
    return matter


@transaction.atomic
def matter_close(*, actor: Actor, matter: Matter, note: str = "") -> Matter:
    matter = _locked(matter)
    if not can_close(actor):
        raise NotAllowed(_("只有党政办可以销号。"))
    if matter.status != S.REVISITED:
        raise StateError(_("只有已回访的事项才能销号（当前：%(status)s）。") % {"status": matter.get_status_display()})
    note = (note or "").strip()
    check_length("note", note, NOTE_LIMIT)
    matter.status = S.CLOSED
    matter.closed_at = timezone.now()
    matter.closed_by_id = actor.user_id
    matter.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    _event(matter, actor, "close", S.REVISITED, note)
    users = [_user_of(matter.raised_by), _user_of(matter.assignee)]
    notify_after_commit(
        users=lambda: users,
        kind=NotificationKind.MATTER_UPDATED,
        title=_("事项已销号：%(text)s") % {"text": matter.description[:40]},
        url=_url(matter),
    )
    return matter
