"""Reads for the cadres pages, API and dashboard: scoped (cadres.scope) and of constant query count."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import (
    DEPUTY_POSTS,
    TOP_POSTS,
    Cadre,
    ContactQuota,
    Household,
    HouseholdContact,
    Post,
    Training,
    Unit,
    Village,
    VillageAssignment,
)
from .roles import Actor, Role
from .scope import (
    active_on,
    assigned_village_ids,
    assignments_for,
    cadres_for,
    contacts_for,
    households_for,
    trainings_for,
    units_for,
    villages_for,
)
from .services.pyramid import PyramidIndex

# Leading cadres (党政领导班子) link 1 poor party-member household + 10 farmers unless the
# office configured otherwise (docs/design.md §3); everyone else has no quota by default.
LEADING_POSTS = TOP_POSTS | DEPUTY_POSTS
DEFAULT_LEADING_QUOTA = (1, 10)

# --- quotas -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaStatus:
    required_poor: int
    required_farmer: int
    poor: int
    farmer: int

    @property
    def short_poor(self) -> int:
        return max(0, self.required_poor - self.poor)

    @property
    def short_farmer(self) -> int:
        return max(0, self.required_farmer - self.farmer)

    @property
    def shortfall(self) -> int:
        return self.short_poor + self.short_farmer

    @property
    def is_short(self) -> bool:
        return self.shortfall > 0

    @property
    def has_quota(self) -> bool:
        return bool(self.required_poor or self.required_farmer)


def quota_table() -> dict[str, tuple[int, int]]:
    """(poor party-member, farmer) households required per post."""
    return {q.post: (q.poor_party_member, q.farmer) for q in ContactQuota.objects.all()}


def quota_required(post: str, table: dict[str, tuple[int, int]]) -> tuple[int, int]:
    if post in table:
        return table[post]
    return DEFAULT_LEADING_QUOTA if post in LEADING_POSTS else (0, 0)


def quota_statuses(cadres: Iterable[Cadre], *, day: date | None = None) -> dict[int, QuotaStatus]:
    """Each cadre's quota and the active contacts counted against it (two queries)."""
    cadres = list(cadres)
    if not cadres:
        return {}
    table = quota_table()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        HouseholdContact.objects.filter(active_on(day), cadre_id__in=[c.pk for c in cadres])
        .values_list("cadre_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for cadre_id, kind, n in rows:
        counts[cadre_id][kind] = n
    out = {}
    for cadre in cadres:
        out[cadre.pk] = _quota_of(cadre, counts.get(cadre.pk, {}), table)
    return out


def quota_of(cadre: Cadre, kinds: Iterable[str], table: dict[str, tuple[int, int]] | None = None) -> QuotaStatus:
    """`quota_status` given the kinds of the cadre's active contacts (already read): one query, none
    when the caller read `quota_table()` (or at least the cadre's post's row of it) already."""
    have: dict[str, int] = defaultdict(int)
    for kind in kinds:
        have[kind] += 1
    return _quota_of(cadre, have, quota_table() if table is None else table)


def _quota_of(cadre: Cadre, have: dict[str, int], table: dict[str, tuple[int, int]]) -> QuotaStatus:
    need_poor, need_farmer = quota_required(cadre.post, table) if cadre.is_active else (0, 0)
    # 帮扶户 are farmer households the cadre helps: they count toward the farmer quota.
    farmer = have.get(HouseholdContact.Kind.FARMER, 0) + have.get(HouseholdContact.Kind.ASSISTED, 0)
    return QuotaStatus(need_poor, need_farmer, have.get(HouseholdContact.Kind.POOR_PARTY_MEMBER, 0), farmer)


def with_quota(qs: QuerySet[Cadre], *, day: date | None = None) -> QuerySet[Cadre]:
    """Annotate cadres with their active contacts and the quota of their post (for admin lists)."""
    day = day or timezone.localdate()
    active = Q(contacts__start__lte=day) & (Q(contacts__end__isnull=True) | Q(contacts__end__gte=day))
    farmer_kinds = [HouseholdContact.Kind.FARMER, HouseholdContact.Kind.ASSISTED]
    quota = ContactQuota.objects.filter(post=OuterRef("post"))
    return qs.annotate(
        have_poor=Count("contacts", filter=active & Q(contacts__kind=HouseholdContact.Kind.POOR_PARTY_MEMBER)),
        have_farmer=Count("contacts", filter=active & Q(contacts__kind__in=farmer_kinds)),
        need_poor=Subquery(quota.values("poor_party_member")[:1]),
        need_farmer=Subquery(quota.values("farmer")[:1]),
    )


def quota_from_row(cadre: Cadre) -> QuotaStatus:
    """The QuotaStatus of a cadre annotated by `with_quota`."""
    need_poor, need_farmer = cadre.need_poor, cadre.need_farmer  # type: ignore[attr-defined]
    if need_poor is None:
        need_poor, need_farmer = quota_required(cadre.post, {})
    if not cadre.is_active:
        need_poor = need_farmer = 0
    return QuotaStatus(need_poor, need_farmer, cadre.have_poor, cadre.have_farmer)  # type: ignore[attr-defined]


def quota_status(cadre: Cadre) -> QuotaStatus:
    return quota_statuses([cadre])[cadre.pk]


# --- the staff pages -------------------------------------------------------------------------------


def leader_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=VillageAssignment.objects.filter(active_on(), role=VillageAssignment.Role.LEADER).select_related(
            "cadre"
        ),
        to_attr="leading",
    )


def my_villages(actor: Actor) -> list[Village]:
    """Villages the actor works in, each with its leading cadre (`leading`) and groups."""
    ids = assigned_village_ids(actor)
    if not ids:
        return []
    qs = (
        villages_for(actor)
        .filter(pk__in=ids)
        .annotate(household_count=Count("households", filter=Q(households__is_active=True)))
        .prefetch_related("groups", leader_prefetch())
        .order_by("code")
    )
    return list(qs)


# --- the pyramid tree -----------------------------------------------------------------------------


@dataclass
class TreeNode:
    cadre: Cadre
    expected: Cadre | None
    quota: QuotaStatus | None
    children: list[TreeNode] = field(default_factory=list)

    @property
    def mismatch(self) -> bool:
        expected_id = self.expected.pk if self.expected else None
        return self.cadre.reports_to_id != expected_id


@dataclass
class VillageBranch:
    village: Village
    leading: Cadre | None
    cadres: list[TreeNode]


@dataclass
class Pyramid:
    roots: list[TreeNode]
    villages: list[VillageBranch]
    countersigner: Cadre | None  # the township head, for the villages' pledges
    short: list[TreeNode]


def pyramid(actor: Actor, township_id: int) -> Pyramid:
    """The township's whole pyramid from the stored `reports_to`, each node checked against its post."""
    cadres = list(
        cadres_for(actor).filter(township_id=township_id, is_active=True).select_related("unit").order_by("id")
    )
    units = list(units_for(actor).filter(township_id=township_id))
    index = PyramidIndex(cadres, units)
    quotas = quota_statuses(cadres)
    nodes = {c.pk: TreeNode(cadre=c, expected=index.expected(c)[0], quota=quotas.get(c.pk)) for c in cadres}
    roots: list[TreeNode] = []
    by_village: dict[int, list[TreeNode]] = defaultdict(list)
    post_order = {p: i for i, p in enumerate(Post.values)}
    for node in sorted(nodes.values(), key=lambda n: (post_order.get(n.cadre.post, 99), n.cadre.pk)):
        cadre = node.cadre
        if cadre.level == Cadre.Level.VILLAGE:
            by_village[cadre.village_id].append(node)  # type: ignore[index]
        elif cadre.reports_to_id in nodes:
            nodes[cadre.reports_to_id].children.append(node)  # type: ignore[index]
        else:
            roots.append(node)
    villages = list(
        villages_for(actor).filter(township_id=township_id, is_active=True).prefetch_related(leader_prefetch())
    )
    branches = [
        VillageBranch(
            village=v,
            leading=v.leading[0].cadre if v.leading else None,  # type: ignore[attr-defined]
            cadres=by_village.get(v.pk, []),
        )
        for v in villages
    ]
    head = next((c for c in cadres if c.post == Post.TOWNSHIP_HEAD), None)
    short = [n for n in nodes.values() if n.quota is not None and n.quota.is_short]
    short.sort(key=lambda n: (-n.quota.shortfall, n.cadre.pk))  # type: ignore[union-attr]
    return Pyramid(roots=roots, villages=branches, countersigner=head, short=short)


def may_see_pyramid(actor: Actor) -> bool:
    return actor.has(Role.LEADER, Role.OFFICE, Role.COUNTY)


# --- API lists -------------------------------------------------------------------------------------


def village_list(actor: Actor) -> QuerySet[Village]:
    return villages_for(actor).prefetch_related("groups")


def unit_list(actor: Actor) -> QuerySet[Unit]:
    return units_for(actor).select_related("head", "leader_in_charge")


def cadre_list(actor: Actor) -> QuerySet[Cadre]:
    return cadres_for(actor).select_related("unit", "village")


def household_list(actor: Actor) -> QuerySet[Household]:
    return households_for(actor).select_related("village", "group").prefetch_related("tags")


def assignment_list(actor: Actor) -> QuerySet[VillageAssignment]:
    return assignments_for(actor).select_related("cadre", "village")


def contact_list(actor: Actor) -> QuerySet[HouseholdContact]:
    return contacts_for(actor).select_related("cadre", "household", "household__village")


def training_list(actor: Actor) -> QuerySet[Training]:
    return trainings_for(actor).annotate(
        attendees=Count("attendance"),
        present=Count("attendance", filter=Q(attendance__present=True)),
    ).order_by("-date", "-id")
