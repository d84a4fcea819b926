"""Reads of diaries, comments and agenda items, always through the diary scope (docs/design.md §3, §4).

Who reads a diary: its author; the leading cadre (包村领导) of its village; the author's unit head
and the unit's leader in charge; the leaders, the office, the discipline inspector, the reporting
role and county staff. Not other cadres and not village cadres: a diary may record criticism
of them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cadres.calendar import excused_days, workdays
from cadres.models import Cadre, Household, HouseholdContact, Village
from cadres.roles import Actor, Role
from cadres.scope import (
    NOTHING,
    assigned_village_ids,
    in_townships,
    led_village_ids,
    managed_unit_ids,
    narrowed,
    sees_no_township,
)
from supervision.models import AgendaItem, Diary, DiaryComment

# Roles that read every diary of their township (the reporter and the inspector read only).
DIARY_READERS = (Role.COUNTY, Role.LEADER, Role.OFFICE, Role.INSPECTOR, Role.REPORTER)


def diaries_for(actor: Actor, qs: QuerySet[Diary] | None = None) -> QuerySet[Diary]:
    """The diaries the actor may read; everything else is absent (404 on lookup)."""
    qs = Diary.objects.filter(deleted_at__isnull=True) if qs is None else qs.filter(deleted_at__isnull=True)
    return narrowed(qs, diaries_scope_key(actor))


def diaries_in_scope(key: tuple[Any, ...]) -> QuerySet[Diary]:
    """diaries_for of any actor whose diaries_scope_key is `key`."""
    return narrowed(Diary.objects.filter(deleted_at__isnull=True), key)


def diaries_scope_key(actor: Actor) -> tuple[Any, ...]:
    """What diaries_for narrows by (cadres.scope.scope_key's form): equal keys, equal rows."""
    if sees_no_township(actor):
        return NOTHING
    if actor.is_superuser or actor.has(*DIARY_READERS):
        return ("rows", actor.township_ids, None)
    if actor.cadre is None:
        return NOTHING
    cond = Q(author_id=actor.cadre_id)
    led = led_village_ids(actor)
    if led:
        cond |= Q(village_id__in=led)
    managed = managed_unit_ids(actor)
    if managed:
        cond |= Q(author__unit_id__in=managed)
    return ("rows", actor.township_ids, cond)


def township_reader_of(actor: Actor) -> int | None:
    """The one township whose every diary (not withdrawn) the actor reads, as `diaries_for`
    scopes them, or None (a cadre's own scope, the county, no township)."""
    if sees_no_township(actor) or actor.township_id is None:
        return None
    return actor.township_id if actor.is_superuser or actor.has(*DIARY_READERS) else None


def own_reader_of(actor: Actor) -> tuple[int, int] | None:
    """(cadre id, township id) of an actor whose every readable diary is their own, in their one
    township, as `diaries_for` scopes them (no reader role, no village led, no unit overseen); else
    None."""
    if sees_no_township(actor) or actor.is_superuser or actor.has(*DIARY_READERS) or actor.cadre_id is None:
        return None
    if actor.township_id is None or actor.township_ids != {actor.township_id}:
        return None
    if led_village_ids(actor) or managed_unit_ids(actor):
        return None
    return actor.cadre_id, actor.township_id


def diary_list(actor: Actor, *, mine: bool = False) -> QuerySet[Diary]:
    """List rows: author, village and township in one join; households and comment counts prefetched."""
    qs = diaries_for(actor).select_related("author", "author__unit", "village")
    if mine:
        qs = qs.filter(author_id=actor.cadre_id) if actor.cadre else qs.none()
    return qs.order_by("-date", "-id")


def diary_detail_queryset(actor: Actor) -> QuerySet[Diary]:
    return diaries_for(actor).select_related(
        "author", "author__unit", "village", "agenda_item", "agenda_item__adopted_by", "agenda_item__decided_by"
    ).prefetch_related(
        Prefetch("households", queryset=Household.objects.order_by("id")),
        Prefetch("comments", queryset=DiaryComment.objects.select_related("author").order_by("created_at", "id")),
    )


def sees_others_diaries(actor: Actor) -> bool:
    """Whether the actor has a feed beyond their own diaries (leaders, office, superiors …)."""
    if actor.is_superuser or actor.has(*DIARY_READERS):
        return True
    return bool(managed_unit_ids(actor)) or bool(actor.cadre and led_village_ids(actor))


def agenda_for(actor: Actor) -> QuerySet[AgendaItem]:
    """An adopted idea follows its diary's scope; an item from a group of problems or entered by
    the office is read by those who read every diary of the township."""
    # EXISTS per item, not "diary IN (every visible diary)": a township has few agenda items and
    # tens of thousands of diaries, and the IN list made PostgreSQL hash all of them (~0.3 s at 1M).
    cond = Q(Exists(diaries_for(actor).filter(pk=OuterRef("diary_id"))))
    if not sees_no_township(actor) and (actor.is_superuser or actor.has(*DIARY_READERS)):
        cond |= Q(diary__isnull=True)
    return (
        in_townships(AgendaItem.objects.filter(cond), actor)
        .select_related("diary", "diary__author", "diary__village", "adopted_by", "problem_group")
        .order_by("status", "-adopted_at")
    )


# --- writing a diary: which days and which villages/households to offer -----------------------


def backfill_days() -> int:
    return int(settings.PORTAL["DIARY_BACKFILL_DAYS"])


def writable_dates(cadre: Cadre, *, today: date | None = None) -> list[date]:
    """Today, then the missed expected workdays in the backfill window that still have no diary."""
    today = today or timezone.localdate()
    window_start = today - timedelta(days=backfill_days())
    yesterday = today - timedelta(days=1)
    past = workdays(window_start, yesterday, cadre.township_id)
    excused = excused_days([cadre.pk], window_start, yesterday).get(cadre.pk, set())
    written = set(
        Diary.objects.filter(author=cadre, date__range=(window_start, today)).values_list("date", flat=True)
    )
    missed = [d for d in reversed(past) if d not in excused and d not in written]
    return [today, *missed]


def missed_dates(cadre: Cadre, *, today: date | None = None) -> list[date]:
    """Missed expected workdays that can still be written (the reminder's subject)."""
    today = today or timezone.localdate()
    return [d for d in writable_dates(cadre, today=today) if d != today]


def village_choices(cadre: Cadre, *, today: date | None = None) -> tuple[list[Village], list[Village]]:
    """(assigned villages first, then the other active villages of the author's township)."""
    today = today or timezone.localdate()
    villages = list(Village.objects.filter(township_id=cadre.township_id, is_active=True).order_by("code"))
    mine = _assigned_village_ids(cadre, today)
    first = [v for v in villages if v.pk in mine]
    return first, [v for v in villages if v.pk not in mine]


def _assigned_village_ids(cadre: Cadre, today: date) -> set[int]:
    from cadres.models import VillageAssignment
    from cadres.scope import active_on

    ids = set(
        VillageAssignment.objects.filter(active_on(today), cadre_id=cadre.pk).values_list("village_id", flat=True)
    )
    if cadre.village_id:
        ids.add(cadre.village_id)
    return ids


def household_choices(cadre: Cadre, *, today: date | None = None) -> tuple[list[Household], list[Household]]:
    """(the cadre's contact households, then the other households of their assigned villages)."""
    today = today or timezone.localdate()
    contact_ids = set(
        HouseholdContact.objects.filter(cadre=cadre, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values_list("household_id", flat=True)
    )
    villages = _assigned_village_ids(cadre, today)
    rows = list(
        Household.objects.filter(is_active=True, village__township_id=cadre.township_id)
        .filter(Q(pk__in=contact_ids) | Q(village_id__in=villages))
        .select_related("village")
        .order_by("village__code", "id")
    )
    return [h for h in rows if h.pk in contact_ids], [h for h in rows if h.pk not in contact_ids]


SEARCH_LIMIT = 20


def household_search(cadre: Cadre, *, village_id: int, text: str, today: date | None = None) -> list[Household]:
    """The diary picker's search: households of one village that the diary may name (the same set
    as household_choices: contacts, and the households of the cadre's assigned villages), whose
    head's name or group contains the text; at most SEARCH_LIMIT, by name."""
    today = today or timezone.localdate()
    contact_ids = HouseholdContact.objects.filter(cadre=cadre, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)).values("household_id")
    qs = Household.objects.filter(is_active=True, village_id=village_id, village__township_id=cadre.township_id)
    if village_id not in _assigned_village_ids(cadre, today):
        qs = qs.filter(pk__in=contact_ids)
    text = text.strip()
    if text:
        qs = qs.filter(Q(head_name__icontains=text) | Q(group__name__icontains=text))
    return list(qs.select_related("village", "group").order_by("head_name", "id")[:SEARCH_LIMIT])


__all__ = [
    "agenda_for",
    "assigned_village_ids",
    "diaries_for",
    "diary_detail_queryset",
    "diary_list",
    "household_choices",
    "household_search",
    "missed_dates",
    "sees_others_diaries",
    "village_choices",
    "writable_dates",
]
