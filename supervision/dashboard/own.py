"""A cadre's own dashboard rows in one query: today's diary panel (the backfill window's diaries,
excused absences and calendar days), the households panel (the active contact households with
their last visit, and the quota of the cadre's post) and my matters by light.

Every row here is the cadre's own (their id, their township's calendar, their post). My matters
(raised by or assigned to me) are within every cadre's own condition of matters_for, so their
scope is the townships alone (cadres.scope.township_or_cadre_scope). Read with the ORM these were
two unions and three queries whose building and compiling cost ~5 ms of CPU on every dashboard,
more than the database's work; as one plain statement they cost a tenth of that.
tests/supervision/test_dashboard_own.py holds them equal to the selectors' answers
(supervision.selectors.households.my_contacts, cadres.selectors.quota_of, missed_dates, and the
lights of filter_mine(matters_for(actor))).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import connections

from cadres.models import Cadre, CalendarDay, ContactQuota, ExcusedAbsence, Household, HouseholdContact, Village
from cadres.roles import Actor
from cadres.scope import sees_no_township
from core.replica import current_read_alias
from core.sql import planned_once, row_date, township_clause
from supervision.models import Diary, Matter
from supervision.selectors.matters import GREEN, RED, YELLOW, yellow_days

DIARY, ABSENCE, CALENDAR, CONTACT, QUOTA, LIGHTS = range(6)

END = '"end"'  # a reserved word in SQL


def _columns(
    kind: int, day: str = "CAST(NULL AS date)", until: str = "CAST(NULL AS date)", n1: str = "CAST(NULL AS bigint)",
    n2: str = "CAST(NULL AS bigint)", n3: str = "CAST(NULL AS bigint)", flag: str = "CAST(NULL AS boolean)",
    t1: str = "CAST(NULL AS text)", t2: str = "CAST(NULL AS text)", t3: str = "CAST(NULL AS text)",
) -> str:
    """The select list every part of the union shares; each part fills the columns it needs
    (typed NULLs elsewhere, so that PostgreSQL agrees on each column's type)."""
    return f"CAST({kind} AS integer), {day}, {until}, {n1}, {n2}, {n3}, {flag}, {t1}, {t2}, {t3}"


class ContactVillage(NamedTuple):
    name: str


class ContactHousehold(NamedTuple):
    head_name: str
    village: ContactVillage


class Contact(NamedTuple):
    """What the households panel shows of one contact household (as `my_contacts` rows read)."""

    kind: str
    household: ContactHousehold
    last_visit: date | None


@dataclass
class OwnRows:
    diaries: dict[date, int] = field(default_factory=dict)  # day → the diary's id
    absences: list[tuple[int, date, date]] = field(default_factory=list)  # (cadre, start, end)
    calendar: list[tuple[date, bool, int | None]] = field(default_factory=list)  # (day, is_workday, township)
    contacts: list[Contact] = field(default_factory=list)  # in my_contacts' order
    quota_table: dict[str, tuple[int, int]] = field(default_factory=dict)  # the cadre's post's row, if any
    lights: dict[str, int] = field(default_factory=lambda: {RED: 0, YELLOW: 0, GREEN: 0})  # my open matters


def own_rows(actor: Actor, cadre: Cadre, *, today: date, window: tuple[date, date] | None) -> OwnRows:
    """The rows of the actor's cadre; the diaries, absences and calendar days of `window` (start,
    yesterday) only when given (the today panel is for township cadres)."""
    diary, links = Diary._meta.db_table, Diary.households.through._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    if window is not None:
        start, yesterday = window
        parts += [
            f"SELECT {_columns(DIARY, day='date', n1='id')} FROM {diary} "  # noqa: S608 - tables from the models
            "WHERE author_id = %s AND date BETWEEN %s AND %s AND deleted_at IS NULL",
            f"SELECT {_columns(ABSENCE, day='start', until=END)} FROM {ExcusedAbsence._meta.db_table} "  # noqa: S608
            f"WHERE cadre_id = %s AND start <= %s AND {END} >= %s",
            f"SELECT {_columns(CALENDAR, day='date', n1='township_id', flag='is_workday')} "  # noqa: S608
            f"FROM {CalendarDay._meta.db_table} WHERE date BETWEEN %s AND %s AND (township_id IS NULL OR township_id = %s)",
        ]
        params += [cadre.pk, start, today, cadre.pk, today, start, start, yesterday, cadre.township_id]
    # The household's last visit in anyone's diary, as with_visit_and_matters reads it.
    last_visit = (
        f"(SELECT MAX(d.date) FROM {links} l JOIN {diary} d ON d.id = l.diary_id "  # noqa: S608
        "WHERE l.household_id = c.household_id AND d.deleted_at IS NULL)"
    )
    contact_columns = _columns(CONTACT, day=last_visit, n1="h.village_id", n2="c.household_id", t1="c.kind", t2="h.head_name",
                               t3="v.name")
    parts += [
        f"SELECT {contact_columns} FROM {HouseholdContact._meta.db_table} c "  # noqa: S608
        f"JOIN {Household._meta.db_table} h ON h.id = c.household_id JOIN {Village._meta.db_table} v ON v.id = h.village_id "
        f"WHERE c.cadre_id = %s AND c.start <= %s AND (c.{END} IS NULL OR c.{END} >= %s)",
        f"SELECT {_columns(QUOTA, n1='poor_party_member', n2='farmer', t1='post')} "  # noqa: S608
        f"FROM {ContactQuota._meta.db_table} WHERE post = %s",
    ]
    params += [cadre.pk, today, today, cadre.post]
    if not sees_no_township(actor):
        # light_expression's rule: overdue red, due within MATTER_YELLOW_DAYS yellow, else green.
        lights = _columns(LIGHTS, n1="SUM(CASE WHEN deadline < %s THEN 1 ELSE 0 END)",
                          n2="SUM(CASE WHEN deadline >= %s AND deadline <= %s THEN 1 ELSE 0 END)", n3="COUNT(*)")
        statuses = list(Matter.OPEN_STATUSES)
        townships, township_params = township_clause("township_id", actor.township_ids)
        parts.append(
            f"SELECT {lights} FROM {Matter._meta.db_table} "  # noqa: S608 - table from the model, values as parameters
            f"WHERE (assignee_id = %s OR raised_by_id = %s) AND status IN ({', '.join(['%s'] * len(statuses))}){townships}"
        )
        params += [today, today, today + timedelta(days=yellow_days()), cadre.pk, cadre.pk, *statuses,
                   *township_params]
    out = OwnRows()
    contacts: list[tuple[str, int, int, Contact]] = []
    with planned_once(connections[current_read_alias()]) as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, day, until, n1, n2, n3, flag, t1, t2, t3 in cursor.fetchall():
            if kind == DIARY:
                out.diaries[row_date(day)] = n1  # type: ignore[index]
            elif kind == ABSENCE:
                out.absences.append((cadre.pk, row_date(day), row_date(until)))  # type: ignore[arg-type]
            elif kind == CALENDAR:
                out.calendar.append((row_date(day), bool(flag), n1))  # type: ignore[arg-type]
            elif kind == CONTACT:
                contact = Contact(t1, ContactHousehold(t2, ContactVillage(t3)), row_date(day))
                contacts.append((t1, n1, n2, contact))
            elif kind == QUOTA:
                out.quota_table[t1] = (n1, n2)
            else:
                red, yellow = int(n1 or 0), int(n2 or 0)
                out.lights = {RED: red, YELLOW: yellow, GREEN: n3 - red - yellow}
    # my_contacts' order: by kind, village, household.
    out.contacts = [c for *_key, c in sorted(contacts, key=lambda row: row[:3])]
    return out
