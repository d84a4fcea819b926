"""`GET /api/v1/problem-groups/?start=&end=`: the period's groups of recurring problems (一类事).

Scoped as the diaries are: those who read every diary of a township read its groups (others get
403). Villages, diaries and matters are given as ids; households and cadres too, except to the
reporting role, which gets no reference to a person. A bad or missing date is a 400 that says why.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cadres.roles import actor_for
from supervision.models import Diary, Matter, ProblemGroup
from supervision.selectors.problem_groups import groups_for, reads_groups
from supervision.services.problem_groups import MAX_PERIOD_DAYS, month_of


def _day(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({name: [_("日期格式应为 YYYY-MM-DD，例如 2026-11-01。")]}) from None


def _links(groups: list[ProblemGroup], with_people: bool) -> dict[str, dict[int, list[int]]]:
    """Each group's diary, matter (and household, cadre) ids: a fixed number of queries."""
    ids = [g.pk for g in groups]
    out: dict[str, dict[int, list[int]]] = {k: defaultdict(list) for k in ("d", "m", "h", "c")}
    people: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    d_through, m_through = ProblemGroup.diaries.through, ProblemGroup.matters.through
    d_rows = list(d_through.objects.filter(problemgroup_id__in=ids).values_list("problemgroup_id", "diary_id")
                  .order_by("problemgroup_id", "diary_id"))
    m_rows = list(m_through.objects.filter(problemgroup_id__in=ids).values_list("problemgroup_id", "matter_id")
                  .order_by("problemgroup_id", "matter_id"))
    for gid, did in d_rows:
        out["d"][gid].append(did)
    for gid, mid in m_rows:
        out["m"][gid].append(mid)
    if with_people:
        diary_ids = {d for _g, d in d_rows}
        authors = dict(Diary.objects.filter(pk__in=diary_ids).values_list("pk", "author_id"))
        visited: dict[int, list[int]] = defaultdict(list)
        for did, hid in Diary.households.through.objects.filter(diary_id__in=diary_ids).values_list(
                "diary_id", "household_id"):
            visited[did].append(hid)
        matters = {pk: (h, c) for pk, h, c in Matter.objects.filter(pk__in={m for _g, m in m_rows})
                   .values_list("pk", "household_id", "raised_by_id")}
        for gid, did in d_rows:
            people[gid][1].add(authors[did])
            people[gid][0].update(visited.get(did, []))
        for gid, mid in m_rows:
            household, cadre = matters[mid]
            if household:
                people[gid][0].add(household)
            if cadre:
                people[gid][1].add(cadre)
        for gid, (households, cadres) in people.items():
            out["h"][gid] = sorted(households)
            out["c"][gid] = sorted(cadres)
    return out


class ProblemGroupList(APIView):
    # What the list is made of (for the schema and the API's authorisation matrix); reads go
    # through supervision.selectors.problem_groups.
    queryset = ProblemGroup.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("start", OpenApiTypes.DATE, description="2026-11-01 (default: this month)"),
                    OpenApiParameter("end", OpenApiTypes.DATE, description="2026-11-30")],
        responses={200: OpenApiTypes.OBJECT},
        description="The period's groups of the same problem raised in two or more villages, largest first. "
                    "`households` and `cadres` are left out for the reporting role.",
    )
    def get(self, request: Request) -> Response:
        actor = actor_for(request.user)
        if not reads_groups(actor):
            raise PermissionDenied(_("您无权查看一类事。"))
        first, last = month_of(timezone.localdate())
        start, end = _day(request, "start", first), _day(request, "end", last)
        if end < start:
            raise ValidationError({"end": [_("结束日期不能早于开始日期。")]})
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError({"end": [_("期间不能超过一年。")]})
        groups = list(groups_for(actor, start=start, end=end)[:500])
        with_people = not actor.is_reporter_only
        links = _links(groups, with_people)
        results: list[dict[str, Any]] = []
        for g in groups:
            row: dict[str, Any] = {
                "id": g.pk, "label": g.label, "keywords": g.keywords, "category": g.category,
                "villages": [v.pk for v in g.villages.all()],
                "diaries": links["d"].get(g.pk, []), "matters": links["m"].get(g.pk, []),
                "first_seen": g.first_seen.isoformat(), "last_seen": g.last_seen.isoformat(),
                "trend": g.trend, "previous_size": g.previous_size,
                "agenda_item": g.agenda_item_id,
                "decision": g.agenda_item.decision if g.agenda_item_id and g.agenda_item else "",
            }
            if with_people:
                row["households"] = links["h"].get(g.pk, [])
                row["cadres"] = links["c"].get(g.pk, [])
            results.append(row)
        # One page: a period has few groups (at most 500 are listed); `next` is there for clients
        # that page through every list the same way.
        return Response({"start": start.isoformat(), "end": end.isoformat(), "next": None, "results": results})
