"""考核结果公示: the year's pledge assessment results published as a disclosure, with a display
period and a channel for objections (议事决策公开). Villages' and units' scores and grades are
always listed; each cadre's only where the township decided so (Township.publish_cadre_assessments)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cadres.models import Township, Village
from cadres.roles import Actor, Role
from core.errors import NotAllowed, StateError
from supervision.models import Disclosure, DisclosureRequirement, Domain, Pledge

CATEGORY = "考核结果公示"


def can_publish_results(actor: Actor) -> bool:
    return actor.has(Role.OFFICE) and actor.township_id is not None


def results_lines(*, township: Township, year: int) -> list[str]:
    """One line per assessed pledge of the year: who, score, grade (villages, then units, then cadres)."""
    cond = Q(pledger_village__isnull=False) | Q(pledger_unit__isnull=False)
    if township.publish_cadre_assessments:
        cond |= Q(pledger_cadre__isnull=False)
    rows = (Pledge.objects.filter(cond, township=township, year=year, status=Pledge.Status.ASSESSED)
            .select_related("pledger_village", "pledger_unit", "pledger_cadre")
            .order_by("pledger_village__code", "pledger_unit_id", "pledger_cadre_id", "id"))
    grades = dict(Pledge.Grade.choices)
    lines = []
    for p in rows:
        who = p.pledger_village or p.pledger_unit or p.pledger_cadre
        lines.append(_("%(who)s：%(score)s分，%(grade)s") % {
            "who": who, "score": f"{float(p.total_score):g}" if p.total_score is not None else "—",
            "grade": grades.get(p.grade, "")})
    return lines


@transaction.atomic
def assessment_results_publish(
    *, actor: Actor, year: int, village: Village, posted_on: date, display_days: int, objection_channel: str,
    channel: str = Disclosure.Channel.BOARD,
) -> Disclosure:
    """Post the year's results as a 公示 on a village's board (a disclosure belongs to a village)."""
    from supervision.services.disclosures import disclosure_create

    if not can_publish_results(actor):
        raise NotAllowed(_("只有党政办可以发布考核结果公示。"))
    township = Township.objects.get(pk=actor.township_id)
    if village.township_id != township.pk:
        raise ValidationError({"village": _("请选择本镇的村。")})
    objection_channel = (objection_channel or "").strip()
    if not objection_channel:
        raise ValidationError({"objection_channel": _("请填写异议反映渠道（如电话、地点）。")})
    lines = results_lines(township=township, year=year)
    if not lines:
        raise StateError(_("%(year)s年度尚无已考核的责任书，无可公示。") % {"year": year}, field="year")
    content = "\n".join([
        _("%(year)s年度目标管理责任书考核结果如下：") % {"year": year}, *lines,
        _("公示期%(n)s天。如有异议，请在公示期内通过以下渠道反映：%(c)s") % {"n": display_days, "c": objection_channel},
    ])
    requirement = (DisclosureRequirement.objects.filter(domain=Domain.PARTY, category=CATEGORY, is_active=True)
                   .filter(Q(township=township) | Q(township__isnull=True)).order_by("-township_id", "id").first())
    return disclosure_create(
        actor=actor, village=village, title=_("%(year)s年度考核结果公示") % {"year": year}, content=content,
        period_start=date(year, 1, 1), period_end=date(year, 12, 31), posted_on=posted_on,
        requirement=requirement, domain=Domain.PARTY, category=CATEGORY, channel=channel, display_days=display_days)
