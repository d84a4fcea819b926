"""The bulletin panels of the dashboard (bulletins/dashboard.py), read in one statement, are the
selectors' answers for every role: the drafts and approved bulletins awaiting work in
`unpublished`'s order (leaders and the office), the latest published one as `latest_published`
finds it (anyone with a role), nothing of another township."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from bulletins.dashboard import SHOWN_FIELDS, panels
from bulletins.models import Bulletin
from bulletins.selectors import latest_published, unpublished
from cadres.roles import Role, actor_for
from tests.helpers import assert_num_queries

pytestmark = pytest.mark.django_db

ROLES = ("secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "village1", "outsider", "reporter")


def _bulletin(township, month: int, status: str, number: int | None = None, published_days_ago: int = 0) -> Bulletin:
    start = dt.date(2026, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    published = status == Bulletin.Status.PUBLISHED
    return Bulletin.objects.create(
        township=township, year=2026, number=number, period_start=start, period_end=end, status=status,
        title=f"简报{month}", issue_date=end + dt.timedelta(days=3) if published else None,
        published_at=timezone.now() - dt.timedelta(days=published_days_ago) if published else None,
    )


@pytest.fixture
def bulletins(world):  # type: ignore[no-untyped-def]
    for month in range(1, 8):  # seven waiting: more than the panel shows
        _bulletin(world.township, month, Bulletin.Status.DRAFT if month % 2 else Bulletin.Status.APPROVED)
    _bulletin(world.township, 8, Bulletin.Status.PUBLISHED, number=1, published_days_ago=5)
    _bulletin(world.township, 9, Bulletin.Status.PUBLISHED, number=2, published_days_ago=1)
    _bulletin(world.other_township, 10, Bulletin.Status.DRAFT)
    _bulletin(world.other_township, 11, Bulletin.Status.PUBLISHED, number=1)
    return world


def _fields(b: Bulletin | None) -> tuple | None:
    return None if b is None else tuple(getattr(b, name) for name in SHOWN_FIELDS)


def _reference(actor) -> tuple[list, tuple | None]:  # type: ignore[no-untyped-def]
    waiting = []
    if actor.is_superuser or actor.roles & {Role.OFFICE, Role.LEADER}:
        waiting = [_fields(b) for b in unpublished(actor)[:5]]
    return waiting, _fields(latest_published(actor, fields=SHOWN_FIELDS))


def _shown(actor, user) -> tuple[list, tuple | None]:  # type: ignore[no-untyped-def]
    by = {p["template"]: p for p in panels(actor, user)}
    drafts, latest = by.get("bulletins/_panel_drafts.html"), by.get("bulletins/_panel_latest.html")
    return [_fields(b) for b in drafts["bulletins"]] if drafts else [], _fields(latest["bulletin"]) if latest else None


def test_bulletin_panels_equal_the_selectors_for_every_role(bulletins):
    seen = {}
    for who in ROLES:
        user = bulletins.users[who]
        actor = actor_for(user)
        seen[who] = _shown(actor, user)
        assert seen[who] == _reference(actor), who
    waiting, latest = seen["office"]
    assert [w[2] for w in waiting] == ["简报7", "简报6", "简报5", "简报4", "简报3"]
    assert latest is not None and latest[2] == "简报9"
    assert seen["cadre1"] == ([], latest)
    assert seen["outsider"][1] is None or seen["outsider"][1][2] == "简报11"


def test_bulletin_panels_of_the_superuser_span_every_township(bulletins):
    admin = User.objects.create_superuser("root-bulletins", password="x")
    actor = actor_for(admin)
    waiting, latest = _shown(actor, admin)
    assert (waiting, latest) == _reference(actor)
    assert [w[2] for w in waiting][:2] == ["简报10", "简报7"]


def test_bulletin_panels_are_one_query(bulletins):
    user = bulletins.users["office"]
    actor = actor_for(user)
    with assert_num_queries(1):
        result = panels(actor, user)
    assert len(result) == 2
