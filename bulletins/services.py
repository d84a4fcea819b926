"""Writes: the one path by which a bulletin is compiled, edited, approved and published.

The page, the admin, the API, the Celery tasks, `manage.py compile_bulletin` and the demo all call
these functions. Lock order is always the township row first, then the bulletin row, so that a
compile and a publication of the same township never deadlock and numbers are given one at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import ModelFigure, Township, Unit
from cadres.roles import Actor
from core.errors import DomainError, NotAllowed, StateError
from core.history import create_many_with_links, create_with_links, set_history_user

from .content import auto_narrative, cn_date, issue_line, period_text, typical_entry
from .county import CountyFigures
from .figures import Period, compile_figures
from .models import Bulletin
from .permissions import can_approve, can_compile, can_edit, can_publish

MAX_PERIOD_DAYS = 366
# The usual distribution of a township bulletin; the office edits it per issue.
DEFAULT_DISTRIBUTION = {
    "distribution_report": "县委、县政府，县纪委监委",
    "distribution_send": "镇党委、政府领导班子成员",
    "distribution_issue": "各村（社区）党组织、村委会，镇属各单位",
}
EDITABLE_FIELDS = frozenset({
    "title", "editor_note", "narrative", "outlook", "signer", "issue_date", "editor_unit",
    "distribution_report", "distribution_send", "distribution_issue", "copies",
})


def previous_month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before `day`'s month: what the monthly job compiles on the 1st."""
    end = day.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def validate_period(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), code="invalid_period")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError(_("简报期间最长一年（%(days)s天）。") % {"days": MAX_PERIOD_DAYS}, code="invalid_period")
    if start > today:
        raise DomainError(_("开始日期不能晚于今天：未来的期间还没有数据可汇总。"), code="invalid_period")


def _office_units(township_ids: list[int]) -> dict[int, Unit]:
    """Each township's office (党政办), the bulletin's editor: its first active office unit."""
    offices: dict[int, Unit] = {}
    for unit in Unit.objects.filter(township_id__in=township_ids, kind=Unit.Kind.OFFICE, is_active=True).order_by("id"):
        offices.setdefault(unit.township_id, unit)
    return offices


def _overlapping_figures(township_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[ModelFigure]]:
    """Each township's model figures (典型) whose period overlaps [start, end]."""
    figures: dict[int, list[ModelFigure]] = defaultdict(list)
    for figure in ModelFigure.objects.filter(township_id__in=township_ids, period_start__lte=end, period_end__gte=start,
                                             status=ModelFigure.Status.CONFIRMED):
        figures[figure.township_id].append(figure)
    return figures


@transaction.atomic
def bulletin_compile(*, township: Township, start: dt.date, end: dt.date,
                     actor: Actor, county: CountyFigures | None = None) -> Bulletin:
    """Fill the draft of [start, end] for a township from the data: create it, or update it.

    Idempotent: one bulletin per township and period (a database constraint), so compiling again
    refreshes the same draft. An approved bulletin whose figures changed goes back to draft (its
    approval no longer covers what it says). A published one is refused: it is frozen.
    The system (cadres.roles.SYSTEM: beat, the management command) or the township's office.
    `county`: figures counted for every township at once (compile_county), when compiling all.
    """
    validate_period(start, end)
    if not can_compile(actor, township.pk):
        raise NotAllowed(_("只有本镇党政办可以汇总简报。"))
    township = Township.objects.select_for_update().get(pk=township.pk)
    bulletin = (
        Bulletin.objects.select_for_update()
        .filter(township=township, period_start=start, period_end=end)
        .first()
    )
    if bulletin is not None and bulletin.is_frozen:
        raise StateError(_frozen(bulletin, start, end))
    figures, problems = compile_figures(township, start, end, county)
    created = bulletin is None
    if bulletin is None:
        bulletin = Bulletin(
            township=township, year=end.year, period_start=start, period_end=end,
            editor_unit=_office_units([township.pk]).get(township.pk), **DEFAULT_DISTRIBUTION,
        )
    _fill(bulletin, figures, problems)
    set_history_user(bulletin, actor.user_id)
    if created:
        # One version in the history, model figures included (not one before they are linked).
        return create_with_links(bulletin, {"model_figures": _overlapping_figures([township.pk], start, end)[township.pk]})
    bulletin.save()
    if not bulletin.model_figures_edited:
        bulletin.model_figures.set(_overlapping_figures([township.pk], start, end)[township.pk])
    return bulletin


def _frozen(bulletin: Bulletin, start: dt.date, end: dt.date) -> str:
    return _("%(period)s的简报已于%(date)s发布（%(issue)s），内容已冻结，不能重新汇总。") % {
        "period": period_text(start, end), "date": cn_date(bulletin.issue_date), "issue": issue_line(bulletin)}


def _fill(bulletin: Bulletin, figures: dict[str, Any], problems: list[Any]) -> None:
    """The compiled figures into a draft (new or not). An approved bulletin whose figures changed
    goes back to draft: its approval no longer covers what it says."""
    if bulletin.status == Bulletin.Status.APPROVED and (figures != bulletin.figures or problems != bulletin.problems):
        bulletin.status = Bulletin.Status.DRAFT
        bulletin.approved_at = None
        bulletin.approved_by = None
    bulletin.figures = figures
    bulletin.problems = problems
    bulletin.compiled_at = timezone.now()
    if not bulletin.narrative_edited:
        bulletin.narrative = auto_narrative(figures)


@dataclass
class CountyCompile:
    bulletins: list[Bulletin]  # compiled, in township order
    refused: dict[int, str] = field(default_factory=dict)  # township id → why not (its period is published)


@transaction.atomic
def bulletin_compile_county(*, start: dt.date, end: dt.date, township_ids: Iterable[int] | None = None,
                            actor: Actor) -> CountyCompile:
    """`bulletin_compile` for many townships at once (all by default): the monthly job and the
    county's compile. The figures are counted in one county pass (bulletins.county) and the new
    drafts written together (core.history.create_many_with_links), with the same rules per
    township; a township whose period is published is left alone and named in `refused`.
    Locks: every township row (by id), then the bulletins, as bulletin_compile does for one."""
    validate_period(start, end)
    locked = Township.objects.select_for_update().order_by("pk")
    if township_ids is not None:
        locked = locked.filter(pk__in=list(township_ids))
    townships = list(locked)
    ids = [t.pk for t in townships]
    if not all(can_compile(actor, pk) for pk in ids):
        raise NotAllowed(_("只有本镇党政办可以汇总简报。"))
    existing = {
        b.township_id: b
        for b in Bulletin.objects.select_for_update().filter(township_id__in=ids, period_start=start, period_end=end)
    }
    county = CountyFigures(Period(start, end), township_ids=None if township_ids is None else ids)
    offices = _office_units(ids)
    model_figures = _overlapping_figures(ids, start, end)
    result = CountyCompile(bulletins=[])
    new: list[Bulletin] = []
    for township in townships:
        bulletin = existing.get(township.pk)
        if bulletin is not None and bulletin.is_frozen:
            result.refused[township.pk] = _frozen(bulletin, start, end)
            continue
        figures, problems = compile_figures(township, start, end, county)
        if bulletin is None:
            bulletin = Bulletin(township=township, year=end.year, period_start=start, period_end=end,
                                editor_unit=offices.get(township.pk), **DEFAULT_DISTRIBUTION)
            new.append(bulletin)
        _fill(bulletin, figures, problems)
        set_history_user(bulletin, actor.user_id)
        if bulletin.pk is not None:
            bulletin.save()
            if not bulletin.model_figures_edited:
                bulletin.model_figures.set(model_figures[township.pk])
        result.bulletins.append(bulletin)
    create_many_with_links(new, [{"model_figures": model_figures[b.township_id]} for b in new])
    return result


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, actor: Actor, changes: Mapping[str, Any],
                    model_figures: Iterable[ModelFigure] | None = None) -> Bulletin:
    """The editor's changes: 按语, 下步打算, narrative, distribution, the model figures picked.

    Editing an approved bulletin sends it back to draft for a new approval; a published one is
    frozen and refuses every edit.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("这些字段不能修改：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.is_frozen:
        raise StateError(_("简报已发布，内容已冻结，不能再修改。"))
    if not can_edit(actor, bulletin):
        raise NotAllowed(_("只有本镇党政办可以编辑简报。"))
    changed = [name for name, value in changes.items() if getattr(bulletin, name) != value]
    for name in changed:
        field = Bulletin._meta.get_field(name)
        assert isinstance(field, Field)  # EDITABLE_FIELDS are concrete fields
        limit = field.max_length
        # A TextField's max_length is not a model validator; the API and the page must both respect it.
        if limit and isinstance(changes[name], str) and len(changes[name]) > limit:
            raise DomainError(_("“%(field)s”最多%(limit)s字，现为%(length)s字。") % {
                "field": field.verbose_name, "limit": limit, "length": len(changes[name])})
    for name in changed:
        setattr(bulletin, name, changes[name])
    if bulletin.editor_unit is not None and bulletin.editor_unit.township_id != bulletin.township_id:
        raise DomainError(_("编印单位须是本镇的单位。"))
    figures_changed = False
    if model_figures is not None:
        picked = list(model_figures)
        if any(f.township_id != bulletin.township_id for f in picked):
            raise DomainError(_("只能选用本镇的典型。"))
        figures_changed = {f.pk for f in picked} != set(bulletin.model_figures.values_list("pk", flat=True))
    if not changed and not figures_changed:
        return bulletin
    try:
        bulletin.clean_fields(exclude=[f.name for f in Bulletin._meta.fields if f.name not in changed])
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages)) from exc
    if "narrative" in changed:
        bulletin.narrative_edited = True
    if figures_changed:
        bulletin.model_figures_edited = True
    if bulletin.status == Bulletin.Status.APPROVED:
        bulletin.status = Bulletin.Status.DRAFT
        bulletin.approved_at = None
        bulletin.approved_by = None
    set_history_user(bulletin, actor.user_id)
    bulletin.save()
    if figures_changed:
        bulletin.model_figures.set(picked)
    return bulletin


@transaction.atomic
def bulletin_approve(*, bulletin: Bulletin, actor: Actor) -> Bulletin:
    """草稿 → 已审核, by a township leader; the leader becomes the signer unless one is named."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if not can_approve(actor, bulletin):
        raise NotAllowed(_("只有镇领导可以审核简报。"))
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise StateError(_("简报已发布，不能再审核。"))
    if bulletin.status == Bulletin.Status.APPROVED:
        raise StateError(_("这期简报已经审核过了。"))
    if not bulletin.figures:
        raise StateError(_("简报还没有汇总数据，请先汇总。"))
    bulletin.status = Bulletin.Status.APPROVED
    bulletin.approved_at = timezone.now()
    bulletin.approved_by_id = actor.user_id
    if not bulletin.signer and actor.cadre is not None:
        bulletin.signer = actor.cadre.name
    set_history_user(bulletin, actor.user_id)
    bulletin.save()
    return bulletin


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, actor: Actor, today: dt.date | None = None) -> Bulletin:
    """已审核 → 已发布: give 第N期 of the year and the cumulative number, freeze, notify the township.

    The township row is locked before the numbers are read, so two publications at the same time
    take turns and get consecutive numbers; the unique constraints would refuse a duplicate anyway.
    """
    Township.objects.select_for_update().get(pk=bulletin.township_id)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if not can_publish(actor, bulletin):
        raise NotAllowed(_("只有本镇党政办或镇领导可以发布简报。"))
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise StateError(_("这期简报已经发布（%(issue)s）。") % {"issue": issue_line(bulletin)})
    if bulletin.status != Bulletin.Status.APPROVED:
        raise StateError(_("简报须经镇领导审核后才能发布。"))
    in_township = Bulletin.objects.filter(township_id=bulletin.township_id)
    bulletin.number = (in_township.filter(year=bulletin.year).aggregate(n=Max("number"))["n"] or 0) + 1
    bulletin.cumulative_number = (in_township.aggregate(n=Max("cumulative_number"))["n"] or 0) + 1
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.published_by_id = actor.user_id
    bulletin.issue_date = bulletin.issue_date or today or timezone.localdate()
    bulletin.typical = [
        typical_entry(f) for f in bulletin.model_figures.select_related("cadre__unit", "village").order_by(
            "period_start", "id")
    ]
    set_history_user(bulletin, actor.user_id)
    bulletin.save()
    bulletin_id = bulletin.pk
    transaction.on_commit(lambda: _notify_published(bulletin_id))
    return bulletin


def _notify_published(bulletin_id: int) -> None:
    from .tasks import notify_published_task

    notify_published_task.delay(bulletin_id)
