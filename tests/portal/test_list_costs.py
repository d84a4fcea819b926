"""Every benchmarked list (issue #17) for a leader and a cadre: its query count is pinned and stays
the same at 1 row and at many, and the fast representation (core.api_fast) answers exactly what
DRF's field-by-field path answers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from rest_framework.renderers import JSONRenderer

import core.api_fast as fast
from cadres.roles import actor_for
from supervision.api.serializers.inspections import InspectionSerializer
from supervision.api.serializers.pledges import PledgeSerializer
from supervision.models import InspectionFinding, PledgeTarget, TargetAssessment, TargetProgress
from supervision.selectors.inspections import inspection_list
from supervision.selectors.pledges import pledge_list_with_targets
from supervision.services import pledges as svc
from tests import factories as f
from tests.helpers import api_client, assert_same_queries, page_client

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/diaries/", "/api/v1/matters/", "/api/v1/households/", "/api/v1/pledges/",
         "/api/v1/disclosures/", "/api/v1/inspections/"]

# Households read their tags in the page's own query on PostgreSQL, afterwards on SQLite.
TAGS_QUERY = int(connection.vendor != "postgresql")

# A pledge page: on PostgreSQL one statement writes its rows and their targets as JSON; elsewhere
# the rows, then the targets, then their progress.
PLEDGE_PAGE_QUERIES = 1 if connection.vendor == "postgresql" else 3

# (list, role) → queries of one request with a session (the user and their roles load each time).
PINNED = {
    ("/api/v1/diaries/", "secretary"): 6, ("/api/v1/diaries/", "cadre1"): 7,
    ("/api/v1/matters/", "secretary"): 6, ("/api/v1/matters/", "cadre1"): 7,
    ("/api/v1/households/", "secretary"): 9 + TAGS_QUERY, ("/api/v1/households/", "cadre1"): 9 + TAGS_QUERY,
    ("/api/v1/pledges/", "secretary"): 6 + PLEDGE_PAGE_QUERIES, ("/api/v1/pledges/", "cadre1"): 6,
    ("/api/v1/disclosures/", "secretary"): 6, ("/api/v1/disclosures/", "cadre1"): 6,
    # PostgreSQL reads an inspection's inspectors and findings in the page's own query (ARRAY and
    # json columns).
    ("/api/v1/inspections/", "secretary"): 7 if connection.vendor == "postgresql" else 9,
    ("/api/v1/inspections/", "cadre1"): 6,
    ("/notifications/", "secretary"): 5, ("/notifications/", "cadre1"): 5,
}


def _grow(world, n: int) -> None:
    """n more rows of every list, in cadre1's village v1 (so both roles see them where they may)."""
    for _ in range(n):
        household = f.HouseholdFactory(village=world.v1)
        f.ContactFactory(cadre=world.cadre1, household=household)
        f.DisclosureFactory(village=world.v1)
        inspection: Any = f.InspectionFactory(township=world.township, subject_village=world.v1)
        inspection.inspectors.add(world.inspector)
        f.InspectionFindingFactory(inspection=inspection)
        f.MatterFactory(village=world.v1, raised_by=world.cadre1)
    villages: list[Any] = [f.VillageFactory(township=world.township) for _ in range(n)]
    template = f.pledge_template(world.township, "village")
    svc.pledge_issue_from_template(template=template, pledgers=villages, actor=actor_for(world.office.user))


@pytest.mark.parametrize(("url", "who"), sorted(PINNED))
def test_each_list_costs_the_same_at_1_and_many_rows(world, url, who):
    user = world.users[who]
    client = page_client(user) if url == "/notifications/" else api_client(user, session=True)
    _grow(world, 1)

    def fetch():
        response = client.get(url)
        assert response.status_code == 200
        return response

    assert_same_queries(fetch, lambda: _grow(world, 20), expected=PINNED[(url, who)], warm=True)


@pytest.mark.parametrize("who", ["secretary", "cadre1", "office", "inspector", "village1", "reporter"])
def test_the_fast_lists_answer_what_drf_answers(world, who, monkeypatch):
    _grow(world, 3)
    client = api_client(world.users[who])
    fast_answers = {url: client.get(url).content for url in LISTS}
    monkeypatch.setattr(fast.FastRepresentation, "to_representation", fast.FastRepresentation.generic_representation)
    for url in LISTS:
        generic = client.get(url).content
        assert json.loads(fast_answers[url]) == json.loads(generic), url
        assert fast_answers[url] == generic, url


@pytest.mark.parametrize("who", ["secretary", "cadre1", "office", "inspector", "village1", "reporter"])
def test_the_hand_built_nested_rows_answer_what_drf_answers(world, who):
    """Pledges' targets and inspections' findings are built from plain rows (target_rows,
    finding_rows); DRF's field-by-field path over the prefetched instances gives the same page."""
    _grow(world, 3)
    user = world.users[who]
    actor = actor_for(user)
    target = PledgeTarget.objects.filter(pledge__township=world.township).order_by("id").first()
    assert target is not None
    TargetProgress.objects.create(target=target, quarter=1, report="进展")
    TargetAssessment.objects.create(target=target, score=Decimal("7.5"), deduction=Decimal("0.5"))
    finding = InspectionFinding.objects.filter(inspection__township=world.township).order_by("id").first()
    assert finding is not None
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=finding)
    f.MatterFactory(village=world.v1, raised_by=world.cadre1, finding=finding)
    client = api_client(user)
    cases = [
        ("/api/v1/pledges/", PledgeSerializer,
         pledge_list_with_targets(actor).prefetch_related("targets__progress")),
        ("/api/v1/inspections/", InspectionSerializer,
         inspection_list(actor).prefetch_related("findings__matters")),
    ]
    for url, serializer, qs in cases:
        body = client.get(url).content
        expected = [serializer().generic_representation(row) for row in qs[:50]]
        assert json.loads(body)["results"] == json.loads(JSONRenderer().render(expected)), url
