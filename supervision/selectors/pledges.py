"""Who sees which pledge (docs/design.md §4), and the pledge chain as a tree.

Pledger side (the cadre; the unit's head; the village's cadres), the superior, the leader in charge
of the pledger's unit, the leaders, the office and the inspector see a pledge; the reporting role
sees the villages' and units' pledges (no per-cadre figures); nobody else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import DEPUTY_POSTS, Cadre, Post, Unit, Village
from cadres.roles import Actor, Role
from cadres.scope import NOTHING, in_townships, managed_unit_ids, narrowed
from supervision.models import Pledge, PledgeLevel, PledgeTarget, PledgeTemplate, TargetProgress
from supervision.services.pledges import VILLAGE_SIGNING_POSTS, pledger_field

LIST_RELATED = (
    "pledger_village", "pledger_unit__head", "pledger_cadre", "superior", "signed_by", "countersigned_by",
)
STUCK_AFTER_DAYS = 7


def pledges_scope_key(actor: Actor) -> tuple[Any, ...]:
    """Everything pledges_for narrows by, as one hashable value (cadres.scope.scope_key's form):
    two log-ins with equal keys see the same pledges (core.query_memo)."""
    if actor.township_ids is not None and not actor.township_ids:
        return NOTHING
    if actor.is_superuser or actor.has(Role.COUNTY, Role.LEADER, Role.OFFICE, Role.INSPECTOR):
        return ("rows", actor.township_ids, None)
    cadre = actor.cadre
    # The pledges a cadre is a side of: their own, those they are superior for, their managed
    # units' and those units' staff's, their village's (village cadres).
    side = None if cadre is None else (
        cadre.pk, managed_unit_ids(actor),
        cadre.village_id if cadre.level == Cadre.Level.VILLAGE else None,
    )
    return ("rows", actor.township_ids, (actor.has(Role.REPORTER), side))


def pledges_in_scope(key: tuple[Any, ...], qs: QuerySet[Pledge] | None = None) -> QuerySet[Pledge]:
    """`qs` (every pledge by default) narrowed to a scope key's pledges."""
    return narrowed(Pledge.objects.all() if qs is None else qs, key, condition=_own_q)


def _own_q(own: tuple[bool, tuple[int, frozenset[int], int | None] | None]) -> Q:
    reporter, side = own
    cond = Q(pk__in=[])
    if reporter:
        cond |= Q(pledger_cadre__isnull=True)
    if side is not None:
        cadre_id, managed, village_id = side
        cond |= Q(pledger_cadre_id=cadre_id) | Q(superior_id=cadre_id)
        if managed:
            cond |= Q(pledger_unit_id__in=managed) | Q(pledger_cadre__unit_id__in=managed, level=PledgeLevel.STAFF)
        if village_id:
            cond |= Q(pledger_village_id=village_id)
    return cond


def pledges_for(actor: Actor, qs: QuerySet[Pledge] | None = None) -> QuerySet[Pledge]:
    return pledges_in_scope(pledges_scope_key(actor), qs)


def pledger_side_q(cadre: Cadre | None) -> Q:
    """Pledges this cadre signs for (mirrors services.pledges.is_pledger_signer, as a filter)."""
    if cadre is None:
        return Q(pk__in=[])
    cond = Q(pledger_cadre_id=cadre.pk) | Q(pledger_unit__head_id=cadre.pk)
    posts = {cadre.post, *(cadre.extra_posts or [])}
    if cadre.level == Cadre.Level.VILLAGE and cadre.village_id and posts & VILLAGE_SIGNING_POSTS:
        cond |= Q(pledger_village_id=cadre.village_id)
    return cond


# The list's order; the page's statement (supervision.api.serializers.pledges) writes it.
LIST_ORDER = ("-year", "level", "id")


def pledge_list(
    actor: Actor, *, year: int | None = None, status: str | None = None, level: str | None = None,
    related: tuple[str, ...] = LIST_RELATED,
) -> QuerySet[Pledge]:
    qs = pledges_for(actor).select_related(*related)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by(*LIST_ORDER)


def pledge_list_with_targets(actor: Actor, **filters: Any) -> QuerySet[Pledge]:
    return pledge_list(actor, **filters).prefetch_related(
        Prefetch("targets", queryset=PledgeTarget.objects.select_related("assessment").order_by("order", "id"))
    )


def pledge_detail(actor: Actor, pk: int) -> Pledge:
    qs = pledges_for(actor).select_related(*LIST_RELATED, "township", "template").prefetch_related(
        Prefetch(
            "targets",
            queryset=PledgeTarget.objects.select_related("assessment", "assessing_unit").prefetch_related(
                Prefetch("progress", queryset=TargetProgress.objects.select_related("by").order_by("quarter"))
            ).order_by("order", "id"),
        )
    )
    return get_object_or_404(qs, pk=pk)


@dataclass
class MyPledges:
    to_sign: list[Pledge]
    to_countersign: list[Pledge]
    to_report: list[Pledge]


def my_pledges(actor: Actor, *, year: int | None = None, related: tuple[str, ...] = LIST_RELATED) -> MyPledges:
    """What the caller has to do: sign (pledger side), countersign (superior), report progress on."""
    if actor.cadre is None:
        return MyPledges([], [], [])
    qs = pledges_for(actor).select_related(*related)
    if year:
        qs = qs.filter(year=year)
    side = pledger_side_q(actor.cadre)
    rows = list(qs.filter(
        (side & Q(status__in=[Pledge.Status.ISSUED, Pledge.Status.COUNTERSIGNED]))
        | Q(superior_id=actor.cadre_id, status=Pledge.Status.SIGNED)
    ).order_by("-year", "level", "id"))
    from supervision.services.pledges import is_pledger_signer

    mine = [p for p in rows if is_pledger_signer(p, actor.cadre)]
    return MyPledges(
        to_sign=[p for p in mine if p.status == Pledge.Status.ISSUED],
        to_countersign=[p for p in rows if p.superior_id == actor.cadre_id and p.status == Pledge.Status.SIGNED],
        to_report=[p for p in mine if p.status == Pledge.Status.COUNTERSIGNED],
    )


# --- the chain as a tree ----------------------------------------------------------------------------


def waiting_on(pledge: Pledge) -> str:
    """Who the pledge is waiting for, in words."""
    if pledge.status == Pledge.Status.DRAFT:
        return _("待党政办下达")
    if pledge.status == Pledge.Status.ISSUED:
        if pledge.pledger_cadre_id:
            return _("待 %(name)s 签署") % {"name": pledge.pledger_cadre}
        if pledge.pledger_unit_id:
            head = pledge.pledger_unit.head if pledge.pledger_unit else None
            return _("待 %(name)s 签署") % {"name": head or _("站办所负责人（未设置）")}
        return _("待%(village)s村党支部书记或村委会主任签署") % {"village": pledge.pledger_village}
    if pledge.status == Pledge.Status.SIGNED:
        return _("待 %(name)s 会签") % {"name": pledge.superior}
    if pledge.status == Pledge.Status.COUNTERSIGNED:
        return _("已生效，待年终考核")
    return _("已考核：%(grade)s") % {"grade": pledge.get_grade_display() or "—"}


def waiting_since(pledge: Pledge) -> datetime | None:
    if pledge.status == Pledge.Status.ISSUED:
        return pledge.issued_at
    if pledge.status == Pledge.Status.SIGNED:
        return pledge.signed_at
    return None


@dataclass
class ChainNode:
    label: str
    pledge: Pledge | None = None
    holder: Cadre | None = None
    children: list[ChainNode] = field(default_factory=list)

    @property
    def waiting(self) -> str:
        return waiting_on(self.pledge) if self.pledge else ""

    @property
    def days_waiting(self) -> int | None:
        since = waiting_since(self.pledge) if self.pledge else None
        return (timezone.now() - since).days if since else None

    @property
    def stuck(self) -> bool:
        days = self.days_waiting
        return days is not None and days >= STUCK_AFTER_DAYS

    def walk(self) -> list[ChainNode]:
        out: list[ChainNode] = []
        for child in self.children:
            out.append(child)
            out.extend(child.walk())
        return out

    @property
    def counts(self) -> dict[str, int]:
        counter = Counter(n.pledge.status for n in self.walk() if n.pledge)
        return {status: counter.get(status, 0) for status in Pledge.Status.values}

    @property
    def total(self) -> int:
        return sum(1 for n in self.walk() if n.pledge)


@dataclass
class Chain:
    roots: list[ChainNode]
    counts: dict[str, int]
    stuck: list[ChainNode]
    total: int


def pledge_chain(actor: Actor, *, year: int, township_id: int | None = None) -> Chain:
    """The year's pledges as the pyramid: each pledge under the pledge its superior signed, or under
    the leader who countersigns it (the party secretary, the township head) — one query."""
    qs = pledge_list(actor, year=year)
    if township_id:
        qs = qs.filter(township_id=township_id)
    pledges = list(qs)
    unit_pledge = {p.pledger_unit_id: p for p in pledges if p.level == PledgeLevel.UNIT}
    deputy_pledge = {p.pledger_cadre_id: p for p in pledges if p.level == PledgeLevel.DEPUTY}
    # Staff cadres' unit ids: pledger_cadre is selected with the pledge.
    nodes = {p.pk: ChainNode(label=str(p.pledger_name), pledge=p) for p in pledges}
    groups: dict[int, ChainNode] = {}

    def group_for(superior: Cadre) -> ChainNode:
        if superior.pk not in groups:
            groups[superior.pk] = ChainNode(label=f"{superior.get_post_display()} {superior.name}", holder=superior)
        return groups[superior.pk]

    for p in pledges:
        parent: Pledge | None = None
        if p.level == PledgeLevel.STAFF and p.pledger_cadre is not None:
            parent = unit_pledge.get(p.pledger_cadre.unit_id)
        elif p.level == PledgeLevel.UNIT:
            parent = deputy_pledge.get(p.superior_id)
        if parent is not None and parent.pk != p.pk:
            nodes[parent.pk].children.append(nodes[p.pk])
        else:
            group_for(p.superior).children.append(nodes[p.pk])
    order: dict[str, int] = {Post.PARTY_SECRETARY: 0, Post.TOWNSHIP_HEAD: 1}
    roots = sorted(groups.values(), key=lambda g: (order.get(g.holder.post, 2) if g.holder else 3, g.label))
    counter = Counter(p.status for p in pledges)
    stuck = sorted((n for n in nodes.values() if n.stuck), key=lambda n: -(n.days_waiting or 0))
    return Chain(roots=roots, counts={s: counter.get(s, 0) for s in Pledge.Status.values}, stuck=stuck,
                 total=len(pledges))


# --- issuing --------------------------------------------------------------------------------------


def templates_for(actor: Actor) -> QuerySet[PledgeTemplate]:
    qs = PledgeTemplate.objects.all()
    if not actor.has(Role.OFFICE):
        return qs.none()
    return in_townships(qs, actor).prefetch_related("targets").order_by("-year", "level", "name")


def eligible_pledgers(template: PledgeTemplate) -> list[Village | Unit | Cadre]:
    """Who may receive this template's pledge and has none of that level and year yet."""
    taken = Pledge.objects.filter(year=template.year, level=template.level).values(pledger_field(template.level))
    t = template.township_id
    if template.level == PledgeLevel.VILLAGE:
        return list(Village.objects.filter(township_id=t, is_active=True).exclude(pk__in=taken))
    if template.level == PledgeLevel.UNIT:
        return list(Unit.objects.filter(township_id=t, is_active=True, leader_in_charge__isnull=False)
                    .exclude(pk__in=taken).select_related("leader_in_charge"))
    cadres = Cadre.objects.filter(township_id=t, is_active=True, level=Cadre.Level.TOWNSHIP).exclude(pk__in=taken)
    if template.level == PledgeLevel.DEPUTY:
        return list(cadres.filter(post__in=DEPUTY_POSTS))
    return list(cadres.filter(post=Post.STAFF, unit__isnull=False).exclude(unit__head_id=F("pk")).select_related(
        "unit__head"))

