"""Unfiltered API lists keep their queryset per process and scope (core.query_memo): every role,
listing twice in one process, reads exactly its own scope each time, and a change of scope shows
at once. A key that left part of the scope out would serve one log-in another's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from cadres.roles import actor_for
from cadres.scope import households_for
from core import query_memo
from supervision.selectors.diaries import diaries_for
from supervision.selectors.disclosures import disclosures_for
from supervision.selectors.matters import matters_for
from tests import factories as f
from tests.helpers import api_client, results

LISTS: dict[str, tuple[Callable[[Any], QuerySet[Any]], tuple[str, ...]]] = {
    "diaries": (diaries_for, ("-date", "-id")),
    "matters": (matters_for, ("-id",)),
    "households": (households_for, ()),
    "disclosures": (disclosures_for, ()),
}


def _rows_everywhere(world: Any) -> None:
    for cadre, village in ((world.cadre1, world.v1), (world.cadre2, world.v2), (world.cadre3, world.v3),
                           (world.unit_head, world.v1), (world.outsider, world.v_other)):
        f.DiaryFactory(author=cadre, village=village, date=dt.date(2026, 11, 2))
        f.MatterFactory(village=village, raised_by=cadre)
        f.DisclosureFactory(village=village)
    f.HouseholdFactory(village=world.v3)


@pytest.mark.parametrize("name", LISTS)
def test_every_role_reads_its_own_scope_twice_over(world, name):
    # given rows in every village of both townships
    _rows_everywhere(world)
    selector, order = LISTS[name]
    query_memo.forget_kept()
    # when every role lists them twice in one process (the second time from the kept question)
    seen: dict[str, list[int]] = {}
    for _round in (1, 2):
        for who, user in world.users.items():
            rows = results(api_client(user).get(f"/api/v1/{name}/"))
            # then each reads exactly its scope, the second time as the first
            qs = selector(actor_for(user))
            expected = list((qs.order_by(*order) if order else qs).values_list("id", flat=True))
            got = [row["id"] for row in rows]
            assert (got if order else sorted(got)) == (expected if order else sorted(expected)), (who, _round)
            seen.setdefault(who, got)
            assert got == seen[who]
    # (one question per scope, not one for all: the cadres' scopes differ; the diaries list keeps
    # its question on PostgreSQL only, where its rows are read by a kept statement)
    if name != "diaries" or connection.vendor == "postgresql":
        assert len({key for key in query_memo._KEPT if key[0].startswith(f"api.{name}.")}) >= 3
    assert seen["cadre1"] != seen["cadre3"]


@pytest.mark.parametrize("name", ["households", "disclosures"])
def test_a_new_village_assignment_shows_at_once(world, name):
    # given cadre3 has listed their rows (their question kept)
    _rows_everywhere(world)
    client = api_client(world.cadre3.user)
    before = {row["id"] for row in results(client.get(f"/api/v1/{name}/"))}
    # when they are assigned to v2 as well
    f.AssignmentFactory(cadre=world.cadre3, village=world.v2, start=dt.date(2026, 1, 1))
    # then their next list holds v2's rows too
    after = {row["id"] for row in results(client.get(f"/api/v1/{name}/"))}
    assert before < after
