"""Who sees which disclosure and check (docs/design.md §4), the calendar grid and the gaps.

Township-wide roles (leaders, office, inspector, reporter, county) see the township's; a village
cadre sees their own village's; a township cadre the villages they are assigned to; nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import School, Township, Village, VillageAssignment
from cadres.roles import Actor
from cadres.scope import active_on, narrowed, scope_key, villages_for
from supervision.models import Disclosure, DisclosureCheck, DisclosureCheckItem, Domain, Subject
from supervision.quarters import Quarter

Result = DisclosureCheckItem.Result


def _village_scope(actor: Actor, qs: QuerySet, *, village_field: str) -> QuerySet:
    return village_scoped(qs, village_scope_key(actor), village_field=village_field)


def village_scope_key(actor: Actor) -> tuple[Any, ...]:
    """What the disclosures' and checks' scope narrows by (cadres.scope.scope_key's form; a
    cadre's part is what their condition is built from, today's date included)."""
    return scope_key(actor, lambda: (actor.cadre_id, actor.cadre.village_id if actor.cadre else None,
                                     timezone.localdate()))


def village_scoped(qs: QuerySet, key: tuple[Any, ...], *, village_field: str) -> QuerySet:
    """`qs` narrowed to the scope of a village_scope_key: a cadre's villages are those of their
    assignments active on the key's day (a subquery, so scoping costs no query of its own) and
    their own village."""

    def own_villages(own: tuple[int, int | None, date]) -> Q:
        cadre_id, village_id, day = own
        cond = Q(**{f"{village_field}__in": VillageAssignment.objects.filter(active_on(day), cadre_id=cadre_id)
                   .values("village_id")})
        if village_id:
            cond |= Q(**{village_field: village_id})
        return cond

    return narrowed(qs, key, condition=own_villages)


def disclosures_for(actor: Actor, qs: QuerySet[Disclosure] | None = None) -> QuerySet[Disclosure]:
    return _village_scope(actor, Disclosure.objects.all() if qs is None else qs, village_field="village_id")


def checks_for(actor: Actor, qs: QuerySet[DisclosureCheck] | None = None) -> QuerySet[DisclosureCheck]:
    return _village_scope(actor, DisclosureCheck.objects.all() if qs is None else qs, village_field="village_id")


def disclosure_list(actor: Actor, *, village: int | None = None, quarter: Quarter | None = None,
                    domain: str | None = None) -> QuerySet[Disclosure]:
    qs = disclosures_for(actor).select_related("village", "school", "township", "requirement", "posted_by")
    if village:
        qs = qs.filter(village_id=village)
    if quarter:
        qs = qs.filter(period_start__lte=quarter.end, period_end__gte=quarter.start)
    if domain:
        qs = qs.filter(domain=domain)
    return qs.order_by("-posted_on", "-id")


def disclosure_detail(actor: Actor, pk: int) -> Disclosure:
    return get_object_or_404(
        disclosures_for(actor).select_related("village", "school", "township", "requirement", "posted_by"), pk=pk)


def check_list(actor: Actor, *, quarter: Quarter | None = None, village: int | None = None) -> QuerySet[DisclosureCheck]:
    qs = checks_for(actor).select_related("village", "school", "township", "checker")
    if quarter:
        qs = qs.filter(year=quarter.year, quarter=quarter.quarter)
    if village:
        qs = qs.filter(village_id=village)
    return qs.order_by("-year", "-quarter", "village__code")


def check_detail(actor: Actor, pk: int) -> DisclosureCheck:
    qs = checks_for(actor).select_related("village", "school", "checker", "township").prefetch_related(
        Prefetch("items", queryset=DisclosureCheckItem.objects.select_related(
            "requirement", "disclosure", "adjusted_by").order_by("requirement__order", "requirement_id", "period_start"))
    )
    return get_object_or_404(qs, pk=pk)


def item_for(actor: Actor, pk: int) -> DisclosureCheckItem:
    return get_object_or_404(
        DisclosureCheckItem.objects.filter(check_run__in=checks_for(actor)).select_related("check_run"), pk=pk)


def last_checked_quarter(actor: Actor) -> Quarter | None:
    row = checks_for(actor).order_by("-year", "-quarter").values("year", "quarter").first()
    return Quarter(row["year"], row["quarter"]) if row else None


@dataclass
class GridRow:
    village: Village | None
    cells: list[tuple[Quarter, str, str]]  # (quarter, domain, result: missing|late|on_time|"")
    name: str = ""


def calendar_grid(actor: Actor, *, year: int) -> dict[str, Any]:
    """Villages (then the township itself and its schools, where checked) × quarters × domains,
    each cell the worst result of its items (three queries)."""
    cells: dict[tuple[str, int, int, str], str] = {}
    rows = (
        DisclosureCheckItem.objects.filter(check_run__in=checks_for(actor).filter(year=year))
        .values("check_run__subject_kind", "check_run__village_id", "check_run__school_id", "check_run__township_id",
                "check_run__quarter", "requirement__domain")
        .annotate(missing=Count("pk", filter=Q(result=Result.MISSING)), late=Count("pk", filter=Q(result=Result.LATE)),
                  total=Count("pk"))
    )
    domains_seen: set[str] = set()
    others: set[tuple[str, int]] = set()
    for row in rows:
        result = Result.MISSING if row["missing"] else Result.LATE if row["late"] else Result.ON_TIME
        kind = row["check_run__subject_kind"]
        pk = {Subject.VILLAGE: row["check_run__village_id"], Subject.SCHOOL: row["check_run__school_id"]}.get(
            kind, row["check_run__township_id"])
        cells[(kind, pk, row["check_run__quarter"], row["requirement__domain"])] = result
        domains_seen.add(row["requirement__domain"])
        if kind != Subject.VILLAGE:
            others.add((kind, pk))
    domains = [d for d in Domain.values if d in domains_seen] or [Domain.VILLAGE.value]
    quarters = [Quarter(year, n) for n in range(1, 5)]
    village_qs = villages_for(actor).filter(is_active=True)
    if not actor.township_wide:
        village_qs = village_qs.filter(pk__in=checks_for(actor).values("village_id"))

    def line(kind: str, pk: int) -> list[tuple[Quarter, str, str]]:
        return [(q, d, cells.get((kind, pk, q.quarter, d), "")) for q in quarters for d in domains]

    grid = [GridRow(village=v, name=v.name, cells=line(Subject.VILLAGE, v.pk))
            for v in village_qs.order_by("township_id", "code")]
    if others:
        townships = dict(Township.objects.filter(pk__in=[pk for kind, pk in others if kind == Subject.TOWNSHIP])
                         .values_list("pk", "name"))
        schools = dict(School.objects.filter(pk__in=[pk for kind, pk in others if kind == Subject.SCHOOL])
                       .order_by("name").values_list("pk", "name"))
        grid += [GridRow(village=None, name=str(_("%(township)s（镇本级）") % {"township": name}),
                         cells=line(Subject.TOWNSHIP, pk)) for pk, name in townships.items()]
        grid += [GridRow(village=None, name=name, cells=line(Subject.SCHOOL, pk)) for pk, name in schools.items()]
    labels = dict(Domain.choices)
    return {"year": year, "quarters": quarters, "domains": [(d, labels[d]) for d in domains], "rows": grid}


def gaps(actor: Actor, *, quarter: Quarter) -> QuerySet[DisclosureCheckItem]:
    """Missing and late items of a quarter, villages first."""
    return (
        DisclosureCheckItem.objects.filter(check_run__in=checks_for(actor).filter(year=quarter.year,
                                                                                    quarter=quarter.quarter))
        .exclude(result=Result.ON_TIME)
        .select_related("check_run__village", "check_run__school", "check_run__township", "requirement")
        .order_by("check_run__village__code", "check_run__school__name", "requirement__order", "period_start")
    )
