"""Issuing pledges: from a template to many pledgers, one by one, and the notice to sign."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres.models import Cadre
from cadres.roles import Actor
from core.errors import DomainError, StateError
from core.history import history_user
from core.notifications import notify_cadres
from supervision.models import (
    Pledge,
    PledgeTarget,
    PledgeTemplate,
)
from supervision.notifications import NotificationKind
from supervision.services.pledges.pyramid import (
    PledgeChainError,
    Pledger,
    _check_points,
    _require_office,
    check_superior,
    expected_superior,
    pledger_field,
    pledger_signers,
)


def _title(year: int, pledger: Pledger) -> str:
    return _("%(year)s年度%(pledger)s目标管理责任书") % {"year": year, "pledger": pledger}


def _notify_signers(pledge_ids: list[int]) -> None:
    pledges = Pledge.objects.filter(pk__in=pledge_ids).select_related(
        "pledger_village", "pledger_unit__head__user", "pledger_cadre__user"
    )
    for pledge in pledges:
        notify_cadres(
            cadres=pledger_signers(pledge),
            kind=NotificationKind.PLEDGE_TO_SIGN,
            title=_("请签署责任书：%(title)s") % {"title": pledge},
            url=reverse("pledge-show", args=[pledge.pk]),
            dedupe_key=f"pledge-sign:{pledge.pk}",
        )


@transaction.atomic
def pledge_issue_from_template(
    *, template: PledgeTemplate, pledgers: Sequence[Pledger], actor: Actor, issue: bool = True,
    bonus_cap: Decimal | None = None,
) -> list[Pledge]:
    """One pledge per pledger with the template's targets copied; issued (已下达) unless issue=False.

    All or nothing: a pledger that breaks the chain rules, or already has this year's pledge of the
    level, refuses the whole batch with its name.
    """
    _require_office(actor, template.township_id)
    if not pledgers:
        raise DomainError(_("请至少选择一个责任方。"))
    template_targets = list(template.targets.all())
    _check_points(template_targets)
    field = pledger_field(template.level)
    seen: set[int] = set()
    now = timezone.now()
    pledges: list[Pledge] = []
    for pledger in pledgers:
        if pledger.pk in seen:
            continue
        seen.add(pledger.pk)
        if pledger.township_id != template.township_id:
            raise PledgeChainError(_("%(name)s 不属于本镇。") % {"name": pledger})
        superior = expected_superior(level=template.level, pledger=pledger)
        if Pledge.objects.filter(year=template.year, level=template.level, **{field: pledger}).exists():
            raise DomainError(_("%(name)s 的%(year)s年度责任书已存在。") % {"name": pledger, "year": template.year})
        pledges.append(Pledge(
            township_id=template.township_id, year=template.year, level=template.level, template=template,
            title=_title(template.year, pledger), superior=superior,
            status=Pledge.Status.ISSUED if issue else Pledge.Status.DRAFT, issued_at=now if issue else None,
            bonus_cap=bonus_cap if bonus_cap is not None else Decimal("10"), **{field: pledger},
        ))
    created = bulk_create_with_history(pledges, Pledge, default_user=history_user(actor.user_id))
    if any(p.pk is None for p in created):  # backends that do not return keys from a bulk insert
        created = list(Pledge.objects.filter(template=template, **{f"{field}__in": [getattr(p, field) for p in pledges]}))
    targets = [
        PledgeTarget(
            pledge=pledge, kind=t.kind, task=t.task, indicator=t.indicator, points=t.points,
            assessing_unit_id=t.assessing_unit_id, scoring_rule=t.scoring_rule, auto_source=t.auto_source, order=t.order,
        )
        for pledge in created
        for t in template_targets
    ]
    bulk_create_with_history(targets, PledgeTarget)
    if issue:
        ids = [p.pk for p in created]
        transaction.on_commit(lambda: _notify_signers(ids))
    return created


@transaction.atomic
def pledge_create(
    *, township_id: int, year: int, level: str, pledger: Pledger, actor: Actor, superior: Cadre | None = None,
    title: str = "", bonus_cap: Decimal = Decimal("10"),
    targets: Sequence[Mapping[str, Any]] = (),
) -> Pledge:
    """A draft pledge outside any template; a given superior must be the one the pyramid names."""
    _require_office(actor, township_id)
    if pledger.township_id != township_id:
        raise PledgeChainError(_("%(name)s 不属于本镇。") % {"name": pledger})
    superior = check_superior(level=level, pledger=pledger, superior=superior) if superior else expected_superior(
        level=level, pledger=pledger)
    field = pledger_field(level)
    if Pledge.objects.filter(year=year, level=level, **{field: pledger}).exists():
        raise DomainError(_("%(name)s 的%(year)s年度责任书已存在。") % {"name": pledger, "year": year})
    pledge = Pledge.objects.create(
        township_id=township_id, year=year, level=level, title=title or _title(year, pledger),
        superior=superior, bonus_cap=bonus_cap, **{field: pledger},
    )
    for order, target in enumerate(targets):
        PledgeTarget.objects.create(pledge=pledge, order=target.get("order", order), **{
            k: v for k, v in target.items() if k in ("kind", "task", "indicator", "points", "scoring_rule", "auto_source")
        })
    return pledge


@transaction.atomic
def pledge_issue(*, pledge: Pledge, actor: Actor) -> Pledge:
    """草稿 → 已下达: the points must add up and the superior must still be the pyramid's."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    _require_office(actor, pledge.township_id)
    if pledge.status != Pledge.Status.DRAFT:
        raise StateError(_("只有草稿状态的责任书才能下达。"))
    _check_points(list(pledge.targets.all()))
    pledger = pledge.pledger_village or pledge.pledger_unit or pledge.pledger_cadre
    assert pledger is not None
    check_superior(level=pledge.level, pledger=pledger, superior=pledge.superior)
    pledge.status = Pledge.Status.ISSUED
    pledge.issued_at = timezone.now()
    pledge.save(update_fields=["status", "issued_at"])
    transaction.on_commit(lambda: _notify_signers([pledge.pk]))
    return pledge
