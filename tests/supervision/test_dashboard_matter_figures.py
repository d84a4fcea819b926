"""The township panel's and the matter charts' counts of matters (supervision.dashboard.figures.
matter_figures) come from one plain statement: for every role that sees them, in both languages,
they equal what matters_for (the selector's scope, with the ORM) counts; moments at the edges of
the local day count on the local calendar; another township's matters never count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone, translation

from cadres.roles import actor_for
from supervision.dashboard.figures import matter_figures
from supervision.models import Matter
from supervision.selectors.matters import light_expression, matters_for, overdue_q
from tests import factories as f
from tests.helpers import assert_num_queries

pytestmark = pytest.mark.django_db

ROLES = ("secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "cadre2", "cadre3",
         "village1", "outsider", "reporter")


def _reference(actor, today):  # type: ignore[no-untyped-def]
    """The figures as the panels read them through matters_for before the plain statement."""
    week_start, month_start = today - dt.timedelta(days=today.weekday()), today.replace(day=1)
    counts = matters_for(actor).aggregate(
        week_raised=Count("id", filter=Q(created_at__date__range=(week_start, today))),
        week_closed=Count("id", filter=Q(closed_at__date__range=(week_start, today))),
        month_raised=Count("id", filter=Q(created_at__date__range=(month_start, today))),
        month_closed=Count("id", filter=Q(closed_at__date__range=(month_start, today))),
        overdue=Count("id", filter=overdue_q(today)),
    )
    open_by: dict[tuple[str, str], int] = defaultdict(int)
    for row in (matters_for(actor).filter(status__in=Matter.OPEN_STATUSES).annotate(light=light_expression(today))
                .values("light", "category").annotate(n=Count("id")).order_by()):
        open_by[(row["light"], row["category"])] += row["n"]
    return dict(open_by), counts


@pytest.fixture
def matters(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    local = timezone.get_current_timezone()
    week_start = today - dt.timedelta(days=today.weekday())

    def at(day, hour, minute=0):  # type: ignore[no-untyped-def]
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local)

    cases = [
        # (status, deadline offset, created, closed, category)
        ("registered", -3, at(today, 0, 0), None, "infrastructure"),
        ("assigned", 1, at(week_start, 0, 0), None, "livelihood"),
        ("in_progress", 30, at(week_start - dt.timedelta(days=1), 23, 59), None, "dispute"),
        ("in_progress", None, at(today.replace(day=1), 0, 1), None, "infrastructure"),
        ("closed", -10, at(today - dt.timedelta(days=40), 9), at(week_start, 0, 0), "livelihood"),
        ("closed", -10, at(today - dt.timedelta(days=40), 9), at(week_start - dt.timedelta(days=1), 23, 59), "other"),
        ("revisited", 2, at(today, 23, 59), None, "infrastructure"),
        # raised and closed long before both periods: read by no figure (the statement skips it)
        ("closed", -200, at(today - dt.timedelta(days=200), 9), at(today - dt.timedelta(days=150), 9), "other"),
        ("resolved", -90, at(today - dt.timedelta(days=100), 9), None, "dispute"),
    ]
    for status, offset, created, closed, category in cases:
        matter = f.MatterFactory(village=world.v1, status=status, category=category, raised_by=world.cadre1,
                                 deadline=None if offset is None else today + dt.timedelta(days=offset))
        Matter.objects.filter(pk=matter.pk).update(created_at=created, closed_at=closed)
    f.MatterFactory(village=world.v_other, status="registered", deadline=today - dt.timedelta(days=1))
    return world


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_matter_figures_equal_matters_for_for_every_role(matters, language):
    today = timezone.localdate()
    county = f.UserFactory(username="county-matters", groups=["county"])
    admin = User.objects.create_superuser("root-matters", password="x")
    seen = 0
    with translation.override(language):
        for user in [*(matters.users[who] for who in ROLES), county, admin]:
            actor = actor_for(user)
            if not actor.township_wide:
                with pytest.raises(ValueError):
                    matter_figures(actor, today)
                continue
            figures = matter_figures(actor, today)
            open_by, counts = _reference(actor, today)
            assert figures.open_by == open_by, user.username
            assert figures.overdue == counts["overdue"], user.username
            assert figures.raised == {"week": counts["week_raised"], "month": counts["month_raised"]}, user.username
            assert figures.closed == {"week": counts["week_closed"], "month": counts["month_closed"]}, user.username
            seen += 1
    assert seen == 7
    secretary = matter_figures(actor_for(matters.secretary.user), today)
    assert secretary.overdue == 1 and sum(secretary.open_by.values()) == 4
    assert sum(matter_figures(actor_for(admin), today).open_by.values()) == 5  # the other township's too


def test_matter_figures_cost_one_query(matters):
    actor = actor_for(matters.office.user)
    with assert_num_queries(1):
        matter_figures(actor, timezone.localdate())
