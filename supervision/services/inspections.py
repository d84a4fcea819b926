"""督查: inspections owned by the discipline inspection role (纪委), their findings and follow-up.

Unannounced (暗访) inspections stay confidential to the inspectors and the leaders until a 通报
publishes them; only then does the subject see its findings, and only then may a finding raise a
matter in the follow-up ledger (a matter is seen by many).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre, Unit, Village
from cadres.roles import Actor, Role
from core.errors import NotAllowed, StateError
from core.notifications import notify_cadres
from supervision.models import Category, Inspection, InspectionFinding, Matter
from supervision.notifications import NotificationKind

TITLE_LIMIT = 200
TEXT_LIMIT = 5000
SUMMARY_LIMIT = 10000


def is_inspector(actor: Actor, township_id: int | None = None) -> bool:
    if not actor.has(Role.INSPECTOR):
        return False
    return township_id is None or actor.township_ids is None or township_id in actor.township_ids


def _require_inspector(actor: Actor, township_id: int | None) -> None:
    if not is_inspector(actor, township_id):
        raise NotAllowed(_("只有纪委（督查人员）可以进行此操作。"))


def subject_cadres(inspection: Inspection) -> list[Cadre]:
    """Who answers for the subject: the cadre; a unit's head; a village's cadres."""
    if inspection.subject_cadre_id:
        return [inspection.subject_cadre] if inspection.subject_cadre else []
    if inspection.subject_unit_id:
        head = inspection.subject_unit.head if inspection.subject_unit else None
        return [head] if head else []
    return list(Cadre.objects.filter(village_id=inspection.subject_village_id, level=Cadre.Level.VILLAGE,
                                     is_active=True).select_related("user"))


def is_subject(actor: Actor, inspection: Inspection) -> bool:
    cadre = actor.cadre
    if cadre is None:
        return False
    if inspection.subject_cadre_id:
        return inspection.subject_cadre_id == cadre.pk
    if inspection.subject_unit_id:
        return inspection.subject_unit_id in actor.unit_ids_headed
    return cadre.level == Cadre.Level.VILLAGE and cadre.village_id == inspection.subject_village_id


@transaction.atomic
def inspection_create(
    *, actor: Actor, date: date, kind: str, title: str, subject: Cadre | Unit | Village,
    inspectors: Sequence[Cadre] = (), summary: str = "",
) -> Inspection:
    township_id = subject.township_id
    _require_inspector(actor, township_id)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写督查名称。")]
    elif len(title) > TITLE_LIMIT:
        errors["title"] = [_("名称不能超过%(n)s字。") % {"n": TITLE_LIMIT}]
    if kind not in Inspection.Kind.values:
        errors["kind"] = [_("请选择督查方式。")]
    if len(summary or "") > SUMMARY_LIMIT:
        errors["summary"] = [_("情况概述不能超过%(n)s字。") % {"n": SUMMARY_LIMIT}]
    if date > timezone.localdate() + timedelta(days=366):
        errors["date"] = [_("督查日期过远。")]
    team = list({c.pk: c for c in inspectors}.values()) or ([actor.cadre] if actor.cadre else [])
    if any(c.township_id != township_id for c in team):
        errors["inspectors"] = [_("督查人员应为本镇干部。")]
    if errors:
        raise ValidationError(errors)
    subject_type = (Inspection.SubjectType.CADRE if isinstance(subject, Cadre)
                    else Inspection.SubjectType.UNIT if isinstance(subject, Unit) else Inspection.SubjectType.VILLAGE)
    inspection = Inspection.objects.create(
        township_id=township_id, date=date, kind=kind, title=title, subject_type=subject_type,
        subject_cadre=subject if isinstance(subject, Cadre) else None,
        subject_unit=subject if isinstance(subject, Unit) else None,
        subject_village=subject if isinstance(subject, Village) else None,
        summary=(summary or "").strip(), created_by_id=actor.user_id,
    )
    if team:
        inspection.inspectors.set(team)
    return inspection


def _locked(inspection: Inspection) -> Inspection:
    """Lock the row, then read it with its relations (see services.pledges._locked for why two
    statements)."""
    Inspection.objects.select_for_update().filter(pk=inspection.pk).values_list("pk", flat=True).get()
    return Inspection.objects.select_related(
        "subject_cadre__user", "subject_unit__head__user", "subject_village").get(pk=inspection.pk)


@transaction.atomic
def inspection_add_finding(
    *, inspection: Inspection, actor: Actor, category: str, description: str, action: str = "",
    rectification_deadline: date | None = None,
) -> InspectionFinding:
    inspection = _locked(inspection)
    _require_inspector(actor, inspection.township_id)
    if inspection.closed_at:
        raise StateError(_("督查已结案，不能再添加问题。"))
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if category not in InspectionFinding.Category.values:
        errors["category"] = [_("请选择问题类别。")]
    if action and action not in InspectionFinding.Action.values:
        errors["action"] = [_("请选择处理方式。")]
    if not description:
        errors["description"] = [_("请填写问题描述。")]
    elif len(description) > TEXT_LIMIT:
        errors["description"] = [_("问题描述不能超过%(n)s字。") % {"n": TEXT_LIMIT}]
    if rectification_deadline and rectification_deadline < inspection.date:
        errors["rectification_deadline"] = [_("整改期限不能早于督查日期。")]
    if errors:
        raise ValidationError(errors)
    return InspectionFinding.objects.create(
        inspection=inspection, category=category, description=description, action=action,
        rectification_deadline=rectification_deadline,
    )


@transaction.atomic
def inspection_publish(*, inspection: Inspection, actor: Actor) -> Inspection:
    """通报: the findings become visible to the subject, who is notified."""
    inspection = _locked(inspection)
    _require_inspector(actor, inspection.township_id)
    if inspection.published_at:
        raise StateError(_("该督查已于 %(at)s 通报。") % {"at": f"{timezone.localtime(inspection.published_at):%Y-%m-%d}"})
    if not inspection.findings.exists():
        raise StateError(_("没有督查问题，无需通报。"))
    inspection.published_at = timezone.now()
    inspection.save(update_fields=["published_at"])
    cadres = subject_cadres(inspection)
    title = inspection.title
    pk = inspection.pk
    transaction.on_commit(lambda: notify_cadres(
        cadres=cadres, kind=NotificationKind.INSPECTION, title=_("督查通报：%(title)s") % {"title": title},
        body=_("请按期报送整改情况。"), url=reverse("inspection-show", args=[pk]), dedupe_key=f"inspection-published:{pk}",
    ))
    return inspection


@transaction.atomic
def finding_report_rectification(*, finding: InspectionFinding, report: str, actor: Actor) -> InspectionFinding:
    """整改情况, by the subject (once the findings are published) or by the inspectors."""
    finding = InspectionFinding.objects.select_for_update().get(pk=finding.pk)
    inspection = Inspection.objects.select_related("subject_unit").get(pk=finding.inspection_id)
    inspector = is_inspector(actor, inspection.township_id)
    if not inspector and not (inspection.published_at and is_subject(actor, inspection)):
        raise NotAllowed(_("只有被督查对象（通报后）或纪委可以报送整改情况。"))
    if inspection.closed_at:
        raise StateError(_("督查已结案，不能再修改整改情况。"))
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": [_("请填写整改情况。")]})
    if len(report) > TEXT_LIMIT:
        raise ValidationError({"report": [_("整改情况不能超过%(n)s字。") % {"n": TEXT_LIMIT}]})
    finding.rectification_report = report
    finding.rectified_at = timezone.now()
    finding.save(update_fields=["rectification_report", "rectified_at"])
    return finding


@transaction.atomic
def inspection_close(*, inspection: Inspection, actor: Actor) -> Inspection:
    inspection = _locked(inspection)
    _require_inspector(actor, inspection.township_id)
    if inspection.closed_at:
        raise StateError(_("该督查已结案。"))
    open_count = inspection.findings.filter(rectified_at__isnull=True).exclude(action="").count()
    if open_count:
        raise StateError(_("还有%(n)s项问题未报送整改情况，不能结案。") % {"n": open_count})
    inspection.closed_at = timezone.now()
    inspection.save(update_fields=["closed_at"])
    return inspection


@transaction.atomic
def finding_raise_matter(
    *, finding: InspectionFinding, actor: Actor, village: Village | None = None, category: str = Category.OTHER,
    description: str = "",
) -> Matter:
    """A finding raises a matter (source 督查, status 登记) in the follow-up ledger, once."""
    finding = InspectionFinding.objects.select_for_update().get(pk=finding.pk)
    inspection = Inspection.objects.select_related("subject_village", "subject_cadre").get(pk=finding.inspection_id)
    _require_inspector(actor, inspection.township_id)
    if inspection.confidential:
        raise StateError(_("暗访发现的问题通报前须保密，不能转入问题台账。"))
    existing = Matter.objects.filter(finding=finding).first()
    if existing is not None:
        raise StateError(_("该问题已转入问题台账（#%(id)s）。") % {"id": existing.pk})
    village = village or inspection.subject_village or (
        inspection.subject_cadre.village if inspection.subject_cadre else None)
    if village is None:
        raise ValidationError({"village": [_("请选择问题所在的村。")]})
    if village.township_id != inspection.township_id:
        raise ValidationError({"village": [_("所选村不属于本镇。")]})
    text = (description or "").strip() or _("【督查：%(title)s】%(text)s") % {
        "title": inspection.title, "text": finding.description}
    from supervision.services.matters import matter_create

    return matter_create(actor=actor, village=village, category=category, description=text[:5000],
                         source=Matter.Source.INSPECTION, finding=finding)

