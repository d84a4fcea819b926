"""The one place that decides what a user may see (docs/design.md §4).

Every selector — pages, admin, API, exports — narrows its queryset through these functions,
so no view can forget the scope. Objects outside it are simply absent: lookups answer 404.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .actor_cache import is_current, vouch
from .models import Cadre, Household, HouseholdContact, School, Unit, Village, VillageAssignment
from .roles import Actor, Role


def in_townships(qs: QuerySet, actor: Actor, field: str = "township") -> QuerySet:
    """Limit to the actor's townships (no-op for county level)."""
    if actor.township_ids is None:
        return qs
    return qs.filter(**{f"{field}__in": actor.township_ids})


def sees_no_township(actor: Actor) -> bool:
    """Nobody (no role, no cadre) and log-ins tied to no township see no record of any township."""
    return actor.is_nobody or (actor.township_ids is not None and not actor.township_ids)


def township_or_cadre_scope(actor: Actor, qs: QuerySet, cadre_cond: Callable[[], Q]) -> QuerySet:
    """The role-scope preamble the village-bound lists share: nothing for a log-in tied to no
    township, the whole township for township-wide roles, nothing for a log-in with no cadre, and
    otherwise the rows `cadre_cond()` admits. A callable, so its queries (if any) run only when a
    cadre's own condition is needed, exactly as when each selector spelled the steps out."""
    return narrowed(qs, scope_key(actor, cadre_cond))


# A scope that admits no row (scope_key).
NOTHING: tuple[Any, ...] = ("nothing",)


def scope_key(actor: Actor, cadre_cond: Callable[[], Hashable]) -> tuple[Any, ...]:
    """Everything township_or_cadre_scope narrows by, as one hashable value: two log-ins with equal
    keys see the same rows, so a queryset built for one serves the other (core.query_memo). Its
    cadre's part is `cadre_cond()`: a Q for `narrowed`, or the plain values a selector builds its
    own condition from (a Q holding a subquery never equals another)."""
    if sees_no_township(actor) or (not actor.township_wide and actor.cadre is None):
        return NOTHING
    return ("rows", actor.township_ids, None if actor.township_wide else cadre_cond())


def narrowed(qs: QuerySet, key: tuple[Any, ...], *, township_field: str = "township",
             condition: Callable[[Any], Q] | None = None) -> QuerySet:
    """`qs` narrowed to the rows of a scope key (scope_key's form): nothing, the key's townships,
    and for a cadre their own part — a Q, or what `condition` builds one from."""
    if key == NOTHING:
        return qs.none()
    _, township_ids, own = key
    if township_ids is not None:
        qs = qs.filter(**{f"{township_field}__in": township_ids})
    if own is None:
        return qs
    return qs.filter(own if condition is None else condition(own))


def active_on(day: date | None = None) -> Q:
    day = day or timezone.localdate()
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


@dataclass(frozen=True)
class ScopeIds:
    """The rows a cadre's scope is made of, on one day: their active village assignments and
    their household contacts. Every list of a cadre reads them; they change a few times a year."""

    day: date
    assigned_villages: frozenset[int]  # active on `day`, any role
    led_villages: frozenset[int]  # active on `day`, as the leading cadre (包村领导)
    open_contacts: frozenset[int]  # households of contacts not ended (end is null)
    active_contacts: frozenset[int]  # households of contacts active on `day`


_MEMO_ATTR = "_scope_memo"
_NO_SCOPE = ScopeIds(date.min, frozenset(), frozenset(), frozenset(), frozenset())


def scope_ids(actor: Actor) -> ScopeIds:
    """The actor's ScopeIds (two queries the first time). The actor cache keeps them with the
    Actor (cadres.actor_cache), so a request of a cached log-in reads none of them."""
    if actor.cadre is None:
        return _NO_SCOPE
    assigned, led = _village_ids(actor)
    open_, active = _contact_ids(actor)
    return ScopeIds(timezone.localdate(), assigned, led, open_, active)


def _memo(actor: Actor) -> dict[str, Any]:
    """Where the actor's scope ids are kept, on the Actor object itself (hence in the actor cache
    with it): emptied when the day changes (assignments and contacts start and end on a date) or
    when anything an Actor is made of changed since they were read (actor_cache.is_current)."""
    today = timezone.localdate()
    memo = actor.__dict__.get(_MEMO_ATTR)
    if memo is None or memo["day"] != today or not is_current(actor):
        vouch(actor)  # before reading: a change while reading makes these stale, not the next ones
        memo = actor.__dict__[_MEMO_ATTR] = {"day": today}  # a frozen dataclass: beside its fields
    return memo  # type: ignore[no-any-return]


def _village_ids(actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    """(villages of the actor's active assignments, those of them they lead), in one query."""
    memo = _memo(actor)
    if "villages" not in memo:
        assigned: set[int] = set()
        led: set[int] = set()
        rows = VillageAssignment.objects.filter(active_on(memo["day"]), cadre_id=actor.cadre_id)
        for village_id, role in rows.values_list("village_id", "role").order_by():
            assigned.add(village_id)
            if role == VillageAssignment.Role.LEADER:
                led.add(village_id)
        memo["villages"] = (frozenset(assigned), frozenset(led))
    return memo["villages"]  # type: ignore[no-any-return]


def _contact_ids(actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    """(households of the actor's contacts not ended, those active today), in one query."""
    memo = _memo(actor)
    if "contacts" not in memo:
        today = memo["day"]
        open_: set[int] = set()
        active: set[int] = set()
        rows = HouseholdContact.objects.filter(Q(end__isnull=True) | active_on(today), cadre_id=actor.cadre_id)
        for household_id, start, end in rows.values_list("household_id", "start", "end").order_by():
            if end is None:
                open_.add(household_id)
            if start <= today and (end is None or end >= today):
                active.add(household_id)
        memo["contacts"] = (frozenset(open_), frozenset(active))
    return memo["contacts"]  # type: ignore[no-any-return]


def assigned_village_ids(actor: Actor) -> set[int]:
    """Villages the actor works in: assignments, their own village, villages they lead."""
    if actor.cadre is None:
        return set()
    ids = set(_village_ids(actor)[0])
    if actor.cadre.village_id:
        ids.add(actor.cadre.village_id)
    return ids


def led_village_ids(actor: Actor) -> set[int]:
    """Villages where the actor is the leading cadre (包村领导)."""
    if actor.cadre is None:
        return set()
    return set(_village_ids(actor)[1])


def managed_unit_ids(actor: Actor) -> frozenset[int]:
    """Units whose cadres the actor oversees: headed ∪ supervised."""
    return actor.unit_ids_headed | actor.unit_ids_supervised


# --- places: the org chart is common knowledge within a township -------------------------------


def villages_for(actor: Actor, qs: QuerySet[Village] | None = None) -> QuerySet[Village]:
    qs = Village.objects.all() if qs is None else qs
    if actor.township_ids is not None and not actor.township_ids:
        return qs.none()
    return in_townships(qs, actor)


def schools_for(actor: Actor, qs: QuerySet[School] | None = None) -> QuerySet[School]:
    """Schools are places of the township, known to everyone in it (as villages are)."""
    qs = School.objects.all() if qs is None else qs
    if actor.township_ids is not None and not actor.township_ids:
        return qs.none()
    return in_townships(qs, actor).order_by("township_id", "name", "pk")


def units_for(actor: Actor, qs: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.all() if qs is None else qs
    if actor.township_ids is not None and not actor.township_ids:
        return qs.none()
    return in_townships(qs, actor)


def villages_of(rows: QuerySet, field: str = "village_id") -> QuerySet[Village]:
    """The villages a list's filter offers: those its rows, already narrowed by the scope, belong
    to. A cadre's own diaries name their own villages, not all twenty of the township."""
    # One EXISTS per village (a township has a few dozen), each an index probe on the rows'
    # foreign key, rather than collecting the village of every row of a long history.
    return Village.objects.filter(Exists(rows.order_by().filter(**{field: OuterRef("pk")}))).order_by("code")


def units_of(rows: QuerySet, field: str) -> QuerySet[Unit]:
    """The units a list's filter offers, as villages_of."""
    return Unit.objects.filter(Exists(rows.order_by().filter(**{field: OuterRef("pk")}))).order_by("id")


# --- people ---------------------------------------------------------------------------------------


def cadres_for(actor: Actor, qs: QuerySet[Cadre] | None = None) -> QuerySet[Cadre]:
    """Township-wide roles see every cadre; others see themselves, their unit, the cadres they
    oversee and the cadres who work in the same villages (whom they hand matters to)."""
    qs = Cadre.objects.all() if qs is None else qs
    qs = in_townships(qs, actor)
    if actor.township_wide:
        return qs
    if actor.cadre is None:
        return qs.none()
    villages = assigned_village_ids(actor)
    cond = Q(pk=actor.cadre_id) | Q(unit_id__in=managed_unit_ids(actor))
    if actor.cadre.unit_id:
        cond |= Q(unit_id=actor.cadre.unit_id)
    if villages:
        cond |= Q(village_id__in=villages) | Q(
            assignments__village_id__in=villages, assignments__end__isnull=True
        )
    return qs.filter(pk__in=Cadre.objects.filter(cond).values("pk"))


def handled_village_ids(actor: Actor) -> set[int]:
    """Villages whose every household the actor handles: a village cadre's own village and the
    villages they lead (包村领导). A plain assignment to a village (包村干部) is not enough: such a
    cadre handles their contact households only (docs/design.md §2.6)."""
    if actor.cadre is None:
        return set()
    ids = led_village_ids(actor)
    if actor.cadre.village_id:
        ids.add(actor.cadre.village_id)
    return ids


def household_ids_handled_by(actor: Actor) -> Q:
    """Households whose phone the actor may read — those they handle: the office's (every one),
    their own active contact households, every household of their own village (village cadres)
    and of the villages they lead. The one rule behind phone_visible_household_ids."""
    if actor.is_superuser or actor.has(Role.OFFICE):
        return Q()
    if actor.cadre is None:
        return Q(pk__in=[])
    return Q(pk__in=_contact_ids(actor)[1]) | Q(village_id__in=handled_village_ids(actor))


def household_handler(actor: Actor) -> Callable[[int, int], bool]:
    """(household id, its village id) → whether the actor handles it: household_ids_handled_by,
    decided in memory for rows that carry their village (a list's page), with no query."""
    if actor.is_superuser or actor.has(Role.OFFICE):
        return lambda household_id, village_id: True
    if actor.cadre is None:
        return lambda household_id, village_id: False
    contacts = _contact_ids(actor)[1]
    villages = handled_village_ids(actor)
    return lambda household_id, village_id: household_id in contacts or village_id in villages


def households_for(actor: Actor, qs: QuerySet[Household] | None = None) -> QuerySet[Household]:
    return households_in_scope(households_scope_key(actor), qs)


def households_scope_key(actor: Actor) -> tuple[Any, ...]:
    """What households_for narrows by, as one hashable value (scope_key's form; a cadre's part is
    the ids their condition is built from): equal keys, equal rows."""
    if actor.township_wide:
        return ("rows", actor.township_ids, None)
    if actor.cadre is None:
        return NOTHING
    villages = frozenset(assigned_village_ids(actor) | led_village_ids(actor))
    return ("rows", actor.township_ids, (villages, _contact_ids(actor)[0], managed_unit_ids(actor)))


def households_in_scope(key: tuple[Any, ...], qs: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """households_for of any actor whose households_scope_key is `key`."""
    return narrowed(Household.objects.all() if qs is None else qs, key, township_field="village__township",
                    condition=_household_cond)


def _household_cond(own: tuple[frozenset[int], frozenset[int], frozenset[int]]) -> Q:
    """A cadre's households: in their villages, their contacts', and those of the units they oversee."""
    villages, contacts, managed = own
    cond = Q(village_id__in=villages) | Q(pk__in=contacts)
    if managed:
        cond |= Q(
            pk__in=HouseholdContact.objects.filter(cadre__unit_id__in=managed, end__isnull=True).values(
                "household_id"
            )
        )
    return cond


def phone_visible_household_ids(actor: Actor, household_ids: list[int]) -> set[int]:
    """Of the given households, those whose phone the actor handles (household_ids_handled_by);
    every other phone is shown masked."""
    if actor.is_superuser or actor.has(Role.OFFICE):
        return set(household_ids)
    if actor.cadre is None or not household_ids:
        return set()
    return set(
        Household.objects.filter(household_ids_handled_by(actor), pk__in=household_ids).values_list("pk", flat=True)
    )


def household_name_for(actor: Actor, household: Household) -> str:
    """A household's name as the actor may read it: masked (张*) for the reporting role, which
    handles no household; nothing once erased. The API serializers apply the same rule."""
    if household.erased_at is not None:
        return ""
    if actor.is_reporter_only:
        return mask_name(household.head_name)
    return household.head_name


def assignments_for(actor: Actor, qs: QuerySet[VillageAssignment] | None = None) -> QuerySet[VillageAssignment]:
    qs = VillageAssignment.objects.all() if qs is None else qs
    qs = in_townships(qs, actor, "village__township")
    if actor.township_wide:
        return qs
    if actor.cadre is None:
        return qs.none()
    return qs.filter(Q(cadre_id=actor.cadre_id) | Q(village_id__in=assigned_village_ids(actor))
                     | Q(cadre__unit_id__in=managed_unit_ids(actor)))


def contacts_for(actor: Actor, qs: QuerySet[HouseholdContact] | None = None) -> QuerySet[HouseholdContact]:
    qs = HouseholdContact.objects.all() if qs is None else qs
    qs = in_townships(qs, actor, "cadre__township")
    if actor.township_wide and not actor.is_reporter_only:
        return qs
    if actor.is_reporter_only:
        return qs  # contacts are references; the serializer masks the household
    if actor.cadre is None:
        return qs.none()
    return qs.filter(Q(cadre_id=actor.cadre_id) | Q(cadre__unit_id__in=managed_unit_ids(actor))
                     | Q(household__village_id__in=assigned_village_ids(actor)))


# --- masking (PIPL) -------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits survive."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    """张*: the surname survives."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# --- township-wide records (added with the people-and-places issue) -------------------------------


def townships_for(actor: Actor, qs: QuerySet | None = None) -> QuerySet:
    """The townships the actor belongs to (every one for county level)."""
    from .models import Township

    qs = Township.objects.all() if qs is None else qs
    if actor.township_ids is None:
        return qs
    return qs.filter(pk__in=actor.township_ids)


def trainings_for(actor: Actor, qs: QuerySet | None = None) -> QuerySet:
    """Trainings are open to everyone in the township (they are announced to all)."""
    from .models import Training

    qs = Training.objects.all() if qs is None else qs
    return in_townships(qs, actor)
