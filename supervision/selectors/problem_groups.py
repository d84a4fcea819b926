"""Reads of the groups of recurring problems (一类事), scoped as the diaries are.

The page (leaders, the office, the inspector, county staff) and the API (those, and the reporting
role) read a township's groups; a group's diaries and matters are listed only as the viewer may
read each of them. The groups are a list of problems, never of people.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from cadres.models import Village
from cadres.roles import Actor
from cadres.scope import in_townships, sees_no_township
from supervision.models import Diary, Matter, ProblemGroup
from supervision.selectors.diaries import DIARY_READERS, diaries_for
from supervision.selectors.matters import matters_for
from supervision.services.problem_groups import may_see_groups


def reads_groups(actor: Actor) -> bool:
    """Who reads the groups at all: those who read every diary of the township."""
    return not sees_no_township(actor) and (actor.is_superuser or actor.has(*DIARY_READERS))


def groups_for(actor: Actor, *, start: date | None = None, end: date | None = None) -> QuerySet[ProblemGroup]:
    """The groups of the period (those computed for exactly it), largest first."""
    if not reads_groups(actor):
        return ProblemGroup.objects.none()
    qs = in_townships(ProblemGroup.objects.all(), actor)
    if start is not None and end is not None:
        qs = qs.filter(period_start=start, period_end=end)
    return qs.select_related("agenda_item").prefetch_related(
        Prefetch("villages", queryset=Village.objects.order_by("code").only("id", "name", "code"))
    ).order_by("-village_count", "-diary_count", "-matter_count", "id")


def group_page_allowed(actor: Actor) -> bool:
    return reads_groups(actor) and may_see_groups(actor)


def group_diaries(actor: Actor, group: ProblemGroup) -> QuerySet[Diary]:
    return diaries_for(actor).filter(problem_groups=group).select_related("village").order_by("date", "id")


def group_matters(actor: Actor, group: ProblemGroup) -> QuerySet[Matter]:
    return matters_for(actor).filter(problem_groups=group).select_related("village").order_by("created_at", "id")


def decisions_for_diary(diary: Diary) -> list:  # type: ignore[type-arg]
    """The committee's decisions on the groups a diary belongs to (shown on the diary)."""
    return list(
        ProblemGroup.objects.filter(diaries=diary, agenda_item__status="decided")
        .select_related("agenda_item").order_by("agenda_item__decided_at")
    )


def decisions_for_matter(matter: Matter) -> list:  # type: ignore[type-arg]
    return list(
        ProblemGroup.objects.filter(matters=matter, agenda_item__status="decided")
        .select_related("agenda_item").order_by("agenda_item__decided_at")
    )
