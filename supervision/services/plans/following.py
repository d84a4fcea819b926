"""Following an approved plan: milestones done, goals achieved, overdue escalation, the pledge target's score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import VillageAssignment
from cadres.roles import Actor, require_system
from cadres.scope import active_on
from core.errors import NotAllowed, StateError
from core.notifications import notify
from core.uploads import clean_upload
from supervision.models import PlanGoal, PlanMilestone
from supervision.notifications import NotificationKind
from supervision.selectors.plans import overdue_milestones_q
from supervision.services._common import check_length, cn_date, office_users, require_text
from supervision.services.plans.rules import NOTE_LIMIT, S, _number, _url, _user_of, can_follow


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
