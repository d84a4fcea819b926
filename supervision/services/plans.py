"""Village development plans (帮村发展规划): draft → submitted → approved, then followed to the end.

Who may do what:
- draft (create, edit, add goals and milestones, submit): the village's assigned cadres (包村) and
  its village cadres — whoever works in the village (cadres.scope.assigned_village_ids);
- approve or return a submitted plan, and revise an approved one: the township leaders, the
  office, the village's leading cadre (包村领导) or the leader in charge of a unit whose cadre is
  assigned to the village; nobody approves a plan they submitted themselves;
- mark a milestone done (with evidence) and update a goal's achieved value: the village's
  cadres, the milestone's responsible cadre and the office, on an approved plan.
An approved plan changes only through `plan_revise`, which records what changed and why.
Out-of-scope plans never reach here (selectors answer 404).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre, Village, VillageAssignment
from cadres.roles import Actor, Role, require_system
from cadres.scope import active_on, assigned_village_ids, led_village_ids
from core.errors import NotAllowed, StateError
from core.notifications import notify
from core.uploads import clean_upload
from supervision.models import Plan, PlanGoal, PlanMilestone, PlanRevision
from supervision.notifications import NotificationKind
from supervision.selectors.plans import overdue_milestones_q

from ._common import check_length, cn_date, notify_after_commit, office_users, require_text

S = Plan.Status
TITLE_LIMIT = 200
BACKGROUND_LIMIT = 10000
NOTE_LIMIT = 2000
MAX_GOALS = 50
MAX_MILESTONES = 100


# --- who may do what ------------------------------------------------------------------------------


def _in_township(actor: Actor, plan: Plan) -> bool:
    return actor.township_ids is None or plan.township_id in actor.township_ids


def can_draft(actor: Actor, village: Village) -> bool:
    """The cadres who work in the village: its assigned cadres and its village cadres."""
    if actor.cadre is None or not actor.cadre.is_active:
        return False
    return village.pk in assigned_village_ids(actor)


def can_edit(actor: Actor, plan: Plan) -> bool:
    return _in_township(actor, plan) and can_draft(actor, plan.village)


def can_approve(actor: Actor, plan: Plan) -> bool:
    if not _in_township(actor, plan):
        return False
    if actor.has(Role.LEADER, Role.OFFICE):
        return True
    if actor.cadre is None:
        return False
    if plan.village_id in led_village_ids(actor):
        return True
    return bool(actor.unit_ids_supervised) and VillageAssignment.objects.filter(
        active_on(), village_id=plan.village_id, cadre__unit_id__in=actor.unit_ids_supervised
    ).exists()


def can_follow(actor: Actor, plan: Plan, milestone: PlanMilestone | None = None) -> bool:
    """Mark milestones done, update achieved values: the village's cadres, the responsible, the office."""
    if not _in_township(actor, plan):
        return False
    if actor.has(Role.OFFICE):
        return True
    if milestone is not None and actor.cadre_id is not None and milestone.responsible_id == actor.cadre_id:
        return True
    return can_edit(actor, plan)


def allowed_actions(actor: Actor, plan: Plan) -> set[str]:
    """What this actor may do to the plan now: pages show exactly these forms."""
    out: set[str] = set()
    if plan.status == S.DRAFT and can_edit(actor, plan):
        out |= {"edit", "submit"}
    if plan.status == S.SUBMITTED and can_approve(actor, plan) and actor.user_id != plan.submitted_by_id:
        out |= {"approve", "return"}
    if plan.status == S.APPROVED:
        if can_approve(actor, plan):
            out.add("revise")
        if can_follow(actor, plan):
            out |= {"done", "achieved"}
    return out


# --- helpers --------------------------------------------------------------------------------------


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("village").get(pk=plan.pk)


def _url(plan: Plan) -> str:
    return reverse("plan-show", args=[plan.pk])


def _user_of(cadre: Cadre | None) -> Any:
    return cadre.user if cadre is not None and cadre.user_id else None


def _number(field: str, value: Any, *, required: bool = True) -> Decimal:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写数值。")})
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写正确的数值。")}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({field: _("请填写正确的数值。")})
    return number.quantize(Decimal("0.01"))


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("规划期止不能早于规划期起。")})
    if (end - start).days > 366 * 10:
        raise ValidationError({"period_end": _("规划期最长十年。")})


def _responsible(plan_township_id: int, responsible: Cadre | None) -> Cadre | None:
    if responsible is not None and (responsible.township_id != plan_township_id or not responsible.is_active):
        raise ValidationError({"responsible": _("责任人必须是本乡镇的在岗干部。")})
    return responsible


def _new_goal(plan: Plan, *, indicator: str, unit: str = "", baseline: Any = 0, target: Any, order: int) -> PlanGoal:
    indicator = require_text("indicator", indicator, _("请填写指标。"))
    check_length("indicator", indicator, 200)
    unit = (unit or "").strip()
    check_length("unit", unit, 20)
    return PlanGoal.objects.create(
        plan=plan, indicator=indicator, unit=unit, baseline=_number("baseline", baseline, required=False),
        target=_number("target", target), order=order,
    )


def _new_milestone(plan: Plan, *, title: str, due: date, responsible: Cadre | None = None) -> PlanMilestone:
    title = require_text("title", title, _("请填写节点名称。"))
    check_length("title", title, TITLE_LIMIT)
    if due is None:
        raise ValidationError({"due": _("请填写完成期限。")})
    if not plan.period_start <= due <= plan.period_end:
        raise ValidationError({"due": _("完成期限须在规划期内（%(start)s至%(end)s）。") % {
            "start": cn_date(plan.period_start), "end": cn_date(plan.period_end)}})
    return PlanMilestone.objects.create(
        plan=plan, title=title, due=due, responsible=_responsible(plan.township_id, responsible)
    )


def _not_a_draft(plan: Plan) -> StateError:
    return StateError(
        _("规划当前为“%(status)s”，不能直接修改；已审批的规划通过修订变更。") % {"status": plan.get_status_display()}
    )


# --- drafting -------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    village: Village,
    title: str,
    period_start: date,
    period_end: date,
    background: str = "",
    goals: Sequence[Mapping[str, Any]] = (),
    milestones: Sequence[Mapping[str, Any]] = (),
) -> Plan:
    """起草: a draft for a village the actor works in, optionally with its goals and milestones."""
    if not village.is_active or not can_draft(actor, village):
        raise NotAllowed(_("只有本村的包村干部或村干部可以起草发展规划。"))
    title = require_text("title", title, _("请填写规划名称。"))
    check_length("title", title, TITLE_LIMIT)
    background = (background or "").strip()
    check_length("background", background, BACKGROUND_LIMIT)
    _check_period(period_start, period_end)
    if len(goals) > MAX_GOALS or len(milestones) > MAX_MILESTONES:
        raise ValidationError({"goals": _("目标或节点过多。")})
    plan = Plan.objects.create(
        township_id=village.township_id, village=village, title=title, background=background,
        period_start=period_start, period_end=period_end, drafted_by=actor.cadre,
    )
    for order, goal in enumerate(goals):
        _new_goal(plan, order=order, **goal)
    for milestone in milestones:
        _new_milestone(plan, **milestone)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: Plan,
    title: str | None = None,
    background: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Plan:
    """Edit a draft: the assigned cadre and the village cadres alike."""
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if title is not None:
        plan.title = require_text("title", title, _("请填写规划名称。"))
        check_length("title", plan.title, TITLE_LIMIT)
    if background is not None:
        plan.background = background.strip()
        check_length("background", plan.background, BACKGROUND_LIMIT)
    plan.period_start = period_start or plan.period_start
    plan.period_end = period_end or plan.period_end
    _check_period(plan.period_start, plan.period_end)
    if plan.milestones.filter(Q(due__lt=plan.period_start) | Q(due__gt=plan.period_end)).exists():
        raise ValidationError({"period_end": _("已有节点的完成期限不在新的规划期内。")})
    plan.save()
    return plan


@transaction.atomic
def goal_add(
    *, actor: Actor, plan: Plan, indicator: str, target: Any, unit: str = "", baseline: Any = 0
) -> PlanGoal:
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if plan.goals.count() >= MAX_GOALS:
        raise ValidationError({"indicator": _("目标或节点过多。")})
    return _new_goal(plan, indicator=indicator, unit=unit, baseline=baseline, target=target,
                     order=plan.goals.count())


@transaction.atomic
def milestone_add(
    *, actor: Actor, plan: Plan, title: str, due: date, responsible: Cadre | None = None
) -> PlanMilestone:
    """A milestone of a draft; an approved plan takes new ones through plan_revise."""
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以修改规划草稿。"))
    if plan.status != S.DRAFT:
        raise _not_a_draft(plan)
    if plan.milestones.count() >= MAX_MILESTONES:
        raise ValidationError({"title": _("目标或节点过多。")})
    return _new_milestone(plan, title=title, due=due, responsible=responsible)


# --- submission and approval ----------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, actor: Actor, plan: Plan) -> Plan:
    plan = _locked(plan)
    if not can_edit(actor, plan):
        raise NotAllowed(_("只有本村的包村干部或村干部可以提交规划。"))
    if plan.status != S.DRAFT:
        raise StateError(_("只有草稿才能提交（当前：%(status)s）。") % {"status": plan.get_status_display()})
    if not plan.goals.exists():
        raise StateError(_("请至少填写一项目标后再提交。"))
    if not plan.milestones.exists():
        raise StateError(_("请至少填写一个节点后再提交。"))
    plan.status = S.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by_id = actor.user_id
    plan.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    township_id = plan.township_id
    notify_after_commit(
        users=lambda: office_users(township_id),
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划待审批：%(title)s") % {"title": plan.title[:40]},
        body=plan.village.name,
        url=_url(plan),
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Actor, plan: Plan) -> Plan:
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以审批规划。"))
    if plan.status != S.SUBMITTED:
        raise StateError(_("只有已提交的规划才能审批（当前：%(status)s）。") % {"status": plan.get_status_display()})
    if actor.user_id is not None and actor.user_id == plan.submitted_by_id:
        raise NotAllowed(_("不能审批自己提交的规划。"))
    plan.status = S.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by_id = actor.user_id
    plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    submitter_id = plan.submitted_by_id
    notify_after_commit(
        users=lambda: [plan.submitted_by] if submitter_id else [],
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划已审批：%(title)s") % {"title": plan.title[:40]},
        url=_url(plan),
    )
    return plan


@transaction.atomic
def plan_return(*, actor: Actor, plan: Plan, note: str) -> Plan:
    """退回: a submitted plan goes back to draft with the reason, recorded as a revision."""
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以审批规划。"))
    if plan.status != S.SUBMITTED:
        raise StateError(_("只有已提交的规划才能退回（当前：%(status)s）。") % {"status": plan.get_status_display()})
    note = require_text("note", note, _("请填写退回理由。"))
    check_length("note", note, NOTE_LIMIT)
    plan.status = S.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    PlanRevision.objects.create(plan=plan, changes=_("退回修改"), reason=note, by_id=actor.user_id)
    submitter_id = plan.submitted_by_id
    notify_after_commit(
        users=lambda: [plan.submitted_by] if submitter_id else [],
        kind=NotificationKind.PLAN_UPDATED,
        title=_("发展规划被退回：%(title)s") % {"title": plan.title[:40]},
        body=note[:500],
        url=_url(plan),
    )
    return plan


@transaction.atomic
def plan_revise(
    *,
    actor: Actor,
    plan: Plan,
    reason: str,
    title: str | None = None,
    background: str | None = None,
    period_end: date | None = None,
    goal_targets: Mapping[int, Any] | None = None,
    milestone_dues: Mapping[int, date] | None = None,
    add_milestones: Sequence[Mapping[str, Any]] = (),
) -> PlanRevision:
    """修订: the only way an approved plan changes; records what changed and why."""
    plan = _locked(plan)
    if not can_approve(actor, plan):
        raise NotAllowed(_("只有镇领导、分管领导、包村领导或党政办可以修订已审批的规划。"))
    if plan.status != S.APPROVED:
        raise StateError(_("只有已审批的规划需要修订；草稿可直接修改。"))
    reason = require_text("reason", reason, _("请填写修订理由。"))
    check_length("reason", reason, NOTE_LIMIT)
    changes: list[str] = []
    if title is not None and title.strip() and title.strip() != plan.title:
        new_title = title.strip()
        check_length("title", new_title, TITLE_LIMIT)
        changes.append(_("规划名称：%(old)s → %(new)s") % {"old": plan.title, "new": new_title})
        plan.title = new_title
    if background is not None and background.strip() != plan.background:
        check_length("background", background.strip(), BACKGROUND_LIMIT)
        plan.background = background.strip()
        changes.append(_("基本情况已修改"))
    if period_end is not None and period_end != plan.period_end:
        _check_period(plan.period_start, period_end)
        changes.append(_("规划期止：%(old)s → %(new)s") % {"old": cn_date(plan.period_end), "new": cn_date(period_end)})
        plan.period_end = period_end
    goals = {goal.pk: goal for goal in plan.goals.all()}
    for pk, value in (goal_targets or {}).items():
        goal = goals.get(int(pk))
        if goal is None:
            raise ValidationError({"goal_targets": _("目标不属于这份规划。")})
        target = _number("target", value)
        if target != goal.target:
            changes.append(_("%(indicator)s 目标值：%(old)s → %(new)s") % {
                "indicator": goal.indicator, "old": goal.target, "new": target})
            goal.target = target
            goal.save(update_fields=["target"])
    milestones = {m.pk: m for m in plan.milestones.all()}
    for pk, due in (milestone_dues or {}).items():
        milestone = milestones.get(int(pk))
        if milestone is None:
            raise ValidationError({"milestone_dues": _("节点不属于这份规划。")})
        if due != milestone.due:
            if not plan.period_start <= due <= plan.period_end:
                raise ValidationError({"due": _("完成期限须在规划期内（%(start)s至%(end)s）。") % {
                    "start": cn_date(plan.period_start), "end": cn_date(plan.period_end)}})
            changes.append(_("节点“%(title)s”期限：%(old)s → %(new)s") % {
                "title": milestone.title, "old": cn_date(milestone.due), "new": cn_date(due)})
            milestone.due = due
            milestone.save(update_fields=["due"])
    if plan.milestones.filter(Q(due__lt=plan.period_start) | Q(due__gt=plan.period_end)).exists():
        raise ValidationError({"period_end": _("已有节点的完成期限不在新的规划期内。")})
    for values in add_milestones:
        added = _new_milestone(plan, **values)
        changes.append(_("新增节点：%(title)s（%(due)s）") % {"title": added.title, "due": cn_date(added.due)})
    if not changes:
        raise ValidationError({"reason": _("没有修改内容。")})
    plan._change_reason = reason  # type: ignore[attr-defined]  # simple-history records it on the version
    plan.save()
    return PlanRevision.objects.create(plan=plan, changes="\n".join(changes), reason=reason, by_id=actor.user_id)


# --- following the plan ---------------------------------------------------------------------------


@transaction.atomic
def milestone_done(
    *,
    actor: Actor,
    milestone: PlanMilestone,
    note: str = "",
    evidence: UploadedFile | None = None,
    done_on: date | None = None,
) -> PlanMilestone:
    """完成: with a note and optional evidence (a photo or a PDF, cleaned as for matters)."""
    milestone = PlanMilestone.objects.select_for_update().select_related("plan__village").get(pk=milestone.pk)
    plan = milestone.plan
    if not can_follow(actor, plan, milestone):
        raise NotAllowed(_("只有本村干部、节点责任人或党政办可以标记节点完成。"))
    if plan.status != S.APPROVED:
        raise StateError(_("规划审批后才能标记节点完成。"))
    if milestone.status != PlanMilestone.Status.OPEN:
        raise StateError(_("节点已于%(day)s完成。") % {"day": cn_date(milestone.done_on or timezone.localdate())})
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    note = (note or "").strip()
    check_length("note", note, NOTE_LIMIT)
    fields = ["status", "done_on", "done_note"]
    if evidence is not None:
        try:
            clean = clean_upload(evidence, kinds=("image", "pdf"))
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
        milestone.evidence.save(clean.name or "evidence", clean, save=False)
        fields.append("evidence")
    milestone.status = PlanMilestone.Status.DONE
    milestone.done_on = done_on
    milestone.done_note = note
    milestone.save(update_fields=fields)
    return milestone


@transaction.atomic
def goal_update_achieved(*, actor: Actor, goal: PlanGoal, achieved: Any, note: str) -> PlanGoal:
    """The achieved value of an indicator, with a note saying where it comes from."""
    goal = PlanGoal.objects.select_for_update().select_related("plan__village").get(pk=goal.pk)
    if not can_follow(actor, goal.plan):
        raise NotAllowed(_("只有本村干部或党政办可以更新完成值。"))
    if goal.plan.status != S.APPROVED:
        raise StateError(_("规划审批后才能更新完成值。"))
    note = require_text("note", note, _("请说明完成值的依据。"))
    check_length("note", note, 500)
    goal.achieved = _number("achieved", achieved)
    if goal.achieved < 0:
        raise ValidationError({"achieved": _("完成值不能为负数。")})
    goal.achieved_note = note
    goal.achieved_on = timezone.localdate()
    goal.save(update_fields=["achieved", "achieved_note", "achieved_on"])
    return goal


def milestones_escalate_overdue(*, actor: Actor, today: date | None = None) -> int:
    """督办: each overdue open milestone of an approved plan goes to its responsible cadre and the
    village's leading cadres (包村领导), or the office when neither has a log-in; once per milestone
    per day. Returns the number of milestones escalated for the first time today. The system's
    job (cadres.roles.SYSTEM)."""
    require_system(actor)
    today = today or timezone.localdate()
    overdue = list(
        PlanMilestone.objects.filter(overdue_milestones_q(today), plan__status=S.APPROVED)
        .select_related("plan__village", "responsible__user")
        .order_by("id")
    )
    village_ids = {m.plan.village_id for m in overdue}
    leaders: dict[int, list[Any]] = {}
    for assignment in VillageAssignment.objects.filter(
        active_on(today), village_id__in=village_ids, role=VillageAssignment.Role.LEADER,
        cadre__user__isnull=False, cadre__user__is_active=True,
    ).select_related("cadre__user"):
        leaders.setdefault(assignment.village_id, []).append(assignment.cadre.user)
    offices: dict[int, list[Any]] = {}
    escalated = 0
    for milestone in overdue:
        plan = milestone.plan
        recipients = [u for u in [_user_of(milestone.responsible), *leaders.get(plan.village_id, [])] if u]
        if not recipients:
            recipients = offices.setdefault(plan.township_id, office_users(plan.township_id))
        days = (today - milestone.due).days
        with transaction.atomic():
            notify(
                users=recipients,
                kind=NotificationKind.PLAN_MILESTONE_OVERDUE,
                title=_("督办：规划节点已逾期 %(days)s 天 —— %(title)s") % {"days": days, "title": milestone.title[:40]},
                body=_("%(village)s《%(plan)s》，期限 %(due)s。") % {
                    "village": plan.village.name, "plan": plan.title, "due": cn_date(milestone.due)},
                url=_url(plan),
                dedupe_key=f"plan-milestone-overdue:{milestone.pk}:{today.isoformat()}",
            )
            if PlanMilestone.objects.filter(pk=milestone.pk).filter(
                Q(escalated_on__isnull=True) | ~Q(escalated_on=today)
            ).update(escalated_on=today):
                escalated += 1
    return escalated


def plan_target_score(*, village_id: int, year: int, points: Decimal, today: date | None = None) -> Decimal | None:
    """A pledge target "plan milestones done on time" (auto_source "plan"): of the milestones of
    the village's approved plans due in `year` up to today, the share done by their due date,
    scaled to the target's points (None when no milestone has fallen due yet)."""
    today = today or timezone.localdate()
    last = min(date(year, 12, 31), today)
    due = PlanMilestone.objects.filter(plan__village_id=village_id, plan__status=S.APPROVED,
                                       due__gte=date(year, 1, 1), due__lte=last)
    counts = due.aggregate(total=Count("pk"), on_time=Count("pk", filter=Q(
        status=PlanMilestone.Status.DONE, done_on__lte=F("due"))))
    if not counts["total"]:
        return None
    return (points * counts["on_time"] / counts["total"]).quantize(Decimal("0.1"))
