"""The office's review of a check and its adjustment of single items."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Township
from cadres.roles import Actor, require_office
from core.errors import DomainError, StateError
from supervision.models import (
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRubric,
)
from supervision.services.disclosures.judging import rubric_for, score_for

Result = DisclosureCheckItem.Result


def _require_office(actor: Actor, township_id: int) -> None:
    require_office(actor, township_id, _("只有本镇党政办可以审核公开检查。"))


def _recount(check: DisclosureCheck) -> DisclosureCheck:
    counts = check.items.aggregate(
        on_time=Count("pk", filter=Q(result=Result.ON_TIME)),
        late=Count("pk", filter=Q(result=Result.LATE)),
        missing=Count("pk", filter=Q(result=Result.MISSING)),
    )
    rubric = rubric_for(check.township_id, list(DisclosureRubric.objects.filter(
        Q(township__isnull=True) | Q(township_id=check.township_id))))
    check.on_time_count, check.late_count, check.missing_count = counts["on_time"], counts["late"], counts["missing"]
    check.score = score_for(rubric, missing=counts["missing"], late=counts["late"])
    if not counts["missing"]:
        check.rectification_deadline = None
    elif check.rectification_deadline is None:
        check.rectification_deadline = timezone.localdate() + timedelta(days=rubric.rectification_days)
    check.save(update_fields=["on_time_count", "late_count", "missing_count", "score", "rectification_deadline"])
    return check


@transaction.atomic
def disclosure_check_item_adjust(*, item: DisclosureCheckItem, result: str, reason: str, actor: Actor) -> DisclosureCheckItem:
    """The office corrects one item (e.g. a posting the job could not see) with a reason; the
    item's history keeps every change and later runs leave the office's result alone."""
    # The township first, as the check run locks it: an adjustment and a rerun never interleave.
    township_id = DisclosureCheck.objects.filter(pk=item.check_run_id).values_list("township_id", flat=True).get()
    Township.objects.select_for_update().filter(pk=township_id).values_list("pk", flat=True).get()
    check = DisclosureCheck.objects.select_for_update().get(pk=item.check_run_id)
    item = DisclosureCheckItem.objects.select_for_update().get(pk=item.pk)
    _require_office(actor, check.township_id)
    if result not in Result.values:
        raise DomainError(_("请选择检查结果。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("调整检查结果必须填写理由。"))
    if len(reason) > 300:
        raise DomainError(_("调整理由不能超过300字。"))
    item.result = result
    item.adjusted = True
    item.adjust_reason = reason
    item.adjusted_by_id = actor.user_id
    item.adjusted_at = timezone.now()
    item.save(update_fields=["result", "adjusted", "adjust_reason", "adjusted_by", "adjusted_at"])
    _recount(check)
    return item


@transaction.atomic
def disclosure_check_review(*, check: DisclosureCheck, actor: Actor, notes: str = "") -> DisclosureCheck:
    check = DisclosureCheck.objects.select_for_update().get(pk=check.pk)
    _require_office(actor, check.township_id)
    if check.status == DisclosureCheck.Status.REVIEWED:
        raise StateError(_("该检查已审核。"))
    if len(notes) > 3000:
        raise DomainError(_("备注不能超过3000字。"))
    check.status = DisclosureCheck.Status.REVIEWED
    check.checker_id = actor.user_id
    check.reviewed_at = timezone.now()
    if notes.strip():
        check.notes = notes.strip()
    check.save(update_fields=["status", "checker", "reviewed_at", "notes"])
    return check
