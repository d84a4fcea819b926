"""An authorization matrix generated from the OpenAPI schema and the router.

Every list endpoint, every detail endpoint and every unsafe operation on a detail path is asked
by every role of the world (tests/world.py). One object of each listed model is built in each
township; no role may see, or change, the other township's. A new endpoint joins by itself: if
its model has no builder below, the test fails and names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.forms.models import model_to_dict
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from bulletins.models import Bulletin
from cadres.models import Post, School, Training
from cadres.roles import actor_for
from supervision.models import AgendaItem, DisclosureCheck, ProblemGroup
from supervision.services import pledges as pledge_svc
from supervision.services.problem_groups import month_of
from tests import factories as f
from tests.helpers import api_client

METHODS = ("get", "put", "patch", "post", "delete")
# Reports (and the county summary, a workbook of reports for county callers only) are aggregates with
# their own scope tests (tests/supervision/test_reports*.py), not lists of one township's objects.
EXCLUDED = ("/api/v1/reports/", "/api/v1/county-summary/", "/api/v1/auth/", "/api/v1/me/", "/api/v1/tombstones/")
START = dt.date(2026, 1, 1)


def operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, method) for path, item in schema["paths"].items() for method in METHODS
            if method in item and not path.startswith(EXCLUDED)]


def model_of(path: str) -> type[Model]:
    view = resolve(path.replace("{id}", "1")).func
    cls = view.cls  # type: ignore[attr-defined]
    if getattr(cls, "queryset", None) is not None:
        return cls.queryset.model  # type: ignore[no-any-return]
    return cls.serializer_class.Meta.model  # type: ignore[no-any-return]


def objects_of(w: Any, side: str) -> dict[str, Model]:
    """One object of every model the API lists, all in one township (`main` or `other`)."""
    if side == "main":
        t, v, h = w.township, w.v1, w.h1
        cadre = f.CadreFactory(township=t, name="矩阵干部", unit=w.unit2)
        office = w.office.user
    else:
        t, v, h, cadre = w.other_township, w.v_other, w.h_other, w.outsider
        office = f.CadreFactory(township=t, name="外镇党政办", user__username="other_office",
                                user__groups=["office"]).user
        f.CadreFactory(township=t, name="外镇镇长", post=Post.TOWNSHIP_HEAD, user__username="other_head")
    [pledge] = pledge_svc.pledge_issue_from_template(template=f.pledge_template(t, "village"), pledgers=[v],
                                                     actor=actor_for(office))
    builders: dict[str, Callable[[], Any]] = {
        "cadres.township": lambda: t,
        "cadres.village": lambda: v,
        "cadres.household": lambda: h,
        "cadres.cadre": lambda: cadre,
        "cadres.unit": lambda: f.UnitFactory(township=t, name=f"{t.name}矩阵站"),
        "cadres.villageassignment": lambda: f.AssignmentFactory(cadre=cadre, village=v, start=START),
        "cadres.householdcontact": lambda: f.ContactFactory(cadre=cadre, household=h, start=START),
        "cadres.school": lambda: School.objects.create(township=t, name=f"{t.name}矩阵小学"),
        "cadres.training": lambda: Training.objects.create(township=t, title="矩阵培训", date=dt.date(2026, 5, 1)),
        "supervision.diary": lambda: f.DiaryFactory(author=cadre, village=v),
        "supervision.matter": lambda: f.MatterFactory(village=v),
        "supervision.pledge": lambda: pledge,
        "supervision.disclosure": lambda: f.DisclosureFactory(village=v),
        "supervision.disclosurecheck": lambda: DisclosureCheck.objects.create(township=t, village=v, year=2026,
                                                                               quarter=3),
        "supervision.inspection": lambda: f.InspectionFactory(township=t, subject_village=v),
        "supervision.plan": lambda: f.PlanFactory(village=v, status="submitted"),
        "supervision.planmilestone": lambda: f.PlanMilestoneFactory(plan=f.PlanFactory(village=v, status="approved")),
        "supervision.agendaitem": lambda: AgendaItem.objects.create(township=t, source="office", title="矩阵议题",
                                                                    adopted_by=cadre),
        "supervision.problemgroup": lambda: ProblemGroup.objects.create(
            township=t, period_start=month_of(timezone.localdate())[0], period_end=month_of(timezone.localdate())[1],
            label="矩阵问题", first_seen=START, last_seen=START),
        "bulletins.bulletin": lambda: Bulletin.objects.create(township=t, year=2026, period_start=dt.date(2026, 10, 1),
                                                              period_end=dt.date(2026, 10, 31)),
    }
    return {label: build() for label, build in builders.items()}


@pytest.fixture
def matrix(world, schema):  # type: ignore[no-untyped-def]
    labels = {model_of(path)._meta.label_lower for path, _ in operations(schema)}
    main, other = objects_of(world, "main"), objects_of(world, "other")
    missing = sorted(labels - set(other))
    assert missing == [], f"no builder for the models of new endpoints: {missing}"
    return main, other


def listed_ids(client: APIClient, path: str) -> list[int] | int:
    """Every id on every page, or the refusal's status code."""
    ids: list[int] = []
    url: str | None = path
    while url:
        response = client.get(url)
        if response.status_code != 200:
            return response.status_code
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids


def test_no_list_shows_the_other_townships_objects_to_any_role(world, schema, matrix):
    main, other = matrix
    lists = [path for path, method in operations(schema) if method == "get" and "{" not in path]
    assert len(lists) >= 10
    leaks, refused, unseen = [], [], []
    for role, user in world.users.items():
        client = api_client(user)
        # The outsider belongs to the other township: for them the main township is "the other".
        foreign = main if role == "outsider" else other
        for path in lists:
            ids = listed_ids(client, path)
            if isinstance(ids, int):
                if ids != 403:
                    refused.append(f"{role} {path}: {ids}")
                continue
            obj = foreign[model_of(path)._meta.label_lower]
            if obj.pk in ids:
                leaks.append(f"{role} {path}: {obj.pk}")
            own = main[model_of(path)._meta.label_lower]
            if role == "secretary" and own.pk not in ids:  # the matrix is not vacuous
                unseen.append(f"{role} {path}: {own.pk}")
    assert refused == []
    assert leaks == []
    assert unseen == []


def test_every_detail_of_the_other_townships_object_is_404_for_every_main_role(world, schema, matrix):
    main, other = matrix
    details = [path for path, method in operations(schema) if method == "get" and "{id}" in path]
    assert len(details) >= 10
    secretary = api_client(world.users["secretary"])
    own = {path: secretary.get(path.replace("{id}", str(main[model_of(path)._meta.label_lower].pk))).status_code
           for path in details if path.count("/") == 5}
    assert set(own.values()) == {200}, own  # the same role reads its own township's object
    wrong = []
    for role, user in world.users.items():
        if role == "outsider":
            continue
        client = api_client(user)
        for path in details:
            obj = other[model_of(path)._meta.label_lower]
            status = client.get(path.replace("{id}", str(obj.pk))).status_code
            if status != 404:
                wrong.append(f"{role} GET {path}: {status}")
    assert wrong == []


def test_no_unsafe_operation_on_the_other_townships_object_succeeds_or_changes_it(world, schema, matrix):
    _main, other = matrix
    unsafe = [(path, method) for path, method in operations(schema) if method != "get" and "{id}" in path]
    assert len(unsafe) >= 10
    before = {label: model_to_dict(obj) for label, obj in other.items()}
    wrong = []
    for role, user in world.users.items():
        if role == "outsider":
            continue
        client = api_client(user)
        for path, method in unsafe:
            obj = other[model_of(path)._meta.label_lower]
            url = path.replace("{id}", str(obj.pk))
            status = getattr(client, method)(url, {}, format="json").status_code
            if status not in (403, 404, 405):
                wrong.append(f"{role} {method.upper()} {path}: {status}")
    assert wrong == []
    after = {label: model_to_dict(type(obj).objects.get(pk=obj.pk)) for label, obj in other.items()}
    assert after == before
