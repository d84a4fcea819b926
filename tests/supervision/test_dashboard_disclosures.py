"""The disclosure figures of the leaders' dashboard (the gaps panel and the disclosure chart) read
with plain statements: for every role that sees them, in both languages, they equal what
checks_for and gaps (the selectors' scope, with the ORM) answer; another township's checks never
count; computed together, the two panels read the quarter's checks once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext

from cadres.roles import actor_for
from core.dashboard import shared_batch, shared_figures
from supervision.dashboard import charts
from supervision.dashboard import pledges_disclosures as duties
from supervision.dashboard.figures import CheckRow, quarter_checked_last, quarter_checks
from supervision.models import DisclosureCheckItem
from supervision.selectors.disclosures import checks_for, gaps, last_checked_quarter
from tests import factories as f
from tests.helpers import assert_num_queries
from tests.supervision.test_disclosures_check import AFTER_Q3, q3, run  # noqa: F401  (q3: a fixture)

pytestmark = pytest.mark.django_db

ROLES = ("secretary", "head", "deputy", "inspector", "office", "unit_head", "cadre1", "cadre2", "cadre3",
         "village1", "outsider", "reporter")


@pytest.fixture
def checked(q3):  # type: ignore[no-untyped-def]  # noqa: F811
    """Q3 checked in both townships; the other township's village has nothing posted."""
    f.VillageFactory(township=q3.township, name="北山村", code="V004")
    run(year=2026, quarter=3, today=AFTER_Q3)
    run(year=2026, quarter=3, today=AFTER_Q3, township=q3.other_township)
    q3.county = f.UserFactory(username="county-gaps", groups=["county"])
    q3.admin = User.objects.create_superuser("root-gaps", password="x")
    return q3


def _viewers(world):  # type: ignore[no-untyped-def]
    return [*(world.users[who] for who in ROLES), world.county, world.admin]


def _checks_reference(actor, quarter):  # type: ignore[no-untyped-def]
    return [CheckRow(*row) for row in checks_for(actor).filter(year=quarter.year, quarter=quarter.quarter)
            .order_by("township_id", "village__code", "id")
            .values_list("village__name", "school__name", "on_time_count", "late_count", "missing_count")]


def _gaps_reference(actor, quarter):  # type: ignore[no-untyped-def]
    """The panel as the ORM read it before the plain statement (and as the template showed it)."""
    figures = checks_for(actor).filter(year=quarter.year, quarter=quarter.quarter).aggregate(
        villages=Count("pk"), with_gaps=Count("pk", filter=Q(missing_count__gt=0)), missing=Sum("missing_count"))
    figures["missing"] = figures["missing"] or 0
    items = [
        (reverse("disclosure-check-show", args=[i.check_run_id]),
         i.check_run.village.name if i.check_run.village else "", i.requirement.category,
         dateformat.format(i.period_start, "n月")
         + ("" if i.requirement.frequency == "monthly" else "—" + dateformat.format(i.period_end, "n月")))
        for i in gaps(actor, quarter=quarter).filter(result="missing").order_by(
            "check_run__village__code", "check_run__school__name", "requirement__order", "period_start", "id")[:10]
    ]
    return figures, items


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_gaps_panel_and_the_chart_equal_the_selectors_for_every_role(checked, settings, language):
    settings.DASHBOARD_FIGURES_SECONDS = 0
    seen = 0
    with translation.override(language):
        for user in _viewers(checked):
            actor = actor_for(user)
            quarter = quarter_checked_last(actor)
            if not actor.township_wide:
                with pytest.raises(ValueError):
                    quarter_checks(actor, quarter)
                continue
            assert quarter is not None and quarter == last_checked_quarter(actor), user.username
            assert quarter_checks(actor, quarter) == _checks_reference(actor, quarter), user.username
            panel = duties._gaps_panel(actor)
            figures, items = _gaps_reference(actor, quarter)
            assert panel["figures"] == figures, user.username
            assert [tuple(i) for i in panel["items"]] == items, user.username
            assert panel["more"] == max(0, figures["missing"] - len(items))
            chart = charts._disclosure_chart(actor)
            assert chart["rows"] == [[c.village or c.school or gettext("镇本级"), c.on_time, c.late, c.missing]
                                     for c in _checks_reference(actor, quarter)], user.username
            seen += 1
    assert seen == 7  # the secretary, the head, the inspector, the office, the reporter, the county, the superuser
    admin = actor_for(checked.admin)
    assert len(quarter_checks(admin, quarter_checked_last(admin))) > len(quarter_checks(
        actor_for(checked.secretary.user), quarter_checked_last(admin)))  # the other township's too


def test_the_gaps_panel_lists_each_missing_item_with_its_link_and_months(checked, settings):
    settings.DASHBOARD_FIGURES_SECONDS = 0
    actor = actor_for(checked.secretary.user)
    panel = duties._gaps_panel(actor)
    assert panel["figures"]["missing"] > 10 and len(panel["items"]) == 10
    assert DisclosureCheckItem.objects.filter(result="missing", check_run__township=checked.other_township).exists()
    html = render_to_string(panel["template"], {"panel": panel})
    first = panel["items"][0]
    assert f'<li><a href="{first.href}">{first.village}</a> · {first.category}（{first.months}）</li>' in html
    assert "None" not in html


def test_computed_together_the_two_panels_read_the_quarters_checks_once(checked, settings):
    settings.DASHBOARD_FIGURES_SECONDS = 60
    cache.clear()
    actor = actor_for(checked.secretary.user)
    with shared_batch(actor, ["charts", "disclosure-gaps"]):
        charts.panels(actor, checked.secretary.user)
        # The quarter and its checks come from the chart's reads: the first gaps only.
        with assert_num_queries(1):
            panel = shared_figures("disclosure-gaps", actor, lambda: duties._gaps_panel(actor))
    assert panel["figures"] == _gaps_reference(actor, panel["quarter"])[0]
