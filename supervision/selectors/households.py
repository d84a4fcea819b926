"""A cadre's contact households with their follow-up: the last diary visit and open matters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cadres.models import HouseholdContact
from cadres.roles import Actor
from cadres.scope import active_on

from ..models import Diary, Matter

# A contact household not visited in any diary for this many days is shown as needing a visit.
STALE_AFTER_DAYS = 30


def with_visit_and_matters(qs: QuerySet, household_field: str = "household_id") -> QuerySet:
    """Annotate each row with the household's last diary visit and its open matters."""
    through = Diary.households.through
    last_visit = (
        through.objects.filter(household_id=OuterRef(household_field), diary__deleted_at__isnull=True)
        .order_by("-diary__date")
        .values("diary__date")[:1]
    )
    open_matters = (
        Matter.objects.filter(household_id=OuterRef(household_field), status__in=Matter.OPEN_STATUSES)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return qs.annotate(
        last_visit=Subquery(last_visit),
        open_matters=Coalesce(Subquery(open_matters, output_field=IntegerField()), Value(0)),
    )


def my_contacts(actor: Actor) -> QuerySet[HouseholdContact]:
    """The actor's own active contact households, with last visit and open matters."""
    if actor.cadre is None:
        return HouseholdContact.objects.none()
    qs = (
        HouseholdContact.objects.filter(active_on(), cadre_id=actor.cadre_id)
        .select_related("household", "household__village", "household__group")
        .order_by("kind", "household__village_id", "household_id")
    )
    return with_visit_and_matters(qs)


def stale_contacts(actor: Actor, *, days: int = STALE_AFTER_DAYS) -> list[HouseholdContact]:
    """Contacts not visited (in any diary) for `days` days or never; oldest first."""
    return stale_among(my_contacts(actor), days=days)


def stale_among(contacts: Iterable[HouseholdContact], *, days: int = STALE_AFTER_DAYS) -> list[HouseholdContact]:
    """`stale_contacts` among rows of `my_contacts` already read."""
    cutoff = timezone.localdate() - timedelta(days=days)
    rows = [c for c in contacts if c.last_visit is None or c.last_visit < cutoff]  # type: ignore[attr-defined]
    rows.sort(key=lambda c: (c.last_visit is not None, c.last_visit or date.min))  # type: ignore[attr-defined]
    return rows
