"""seed_demo's duties: this year's pledge chain in every state, disclosures with gaps and the
checks of the past quarters, inspections; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cadres import demo as cadres_demo
from core.demo import DemoContext
from supervision.demo import disclosures, inspections, pledges
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    Inspection,
    InspectionFinding,
    Matter,
    Pledge,
    PledgeTarget,
    TargetAssessment,
    TargetProgress,
)
from supervision.quarters import last_due_quarter

MODELS = [Pledge, PledgeTarget, TargetProgress, TargetAssessment, Disclosure, DisclosureCheck, DisclosureCheckItem,
          Inspection, InspectionFinding, Matter]
TODAY = dt.date(2026, 11, 25)


def _ctx() -> DemoContext:
    return DemoContext(rng=random.Random(2026), seed=2026, scale="township", password="Demo-password-2026",
                       today=TODAY, out=lambda line: None)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.mark.slow
def test_the_demo_duties_are_complete_and_idempotent(db):
    ctx = _ctx()
    cadres_demo.seed(ctx)
    seed_duties(ctx)
    first = _counts()

    township = ctx.main_township
    statuses = set(Pledge.objects.filter(township=township, year=2026).values_list("status", flat=True))
    assert statuses == set(Pledge.Status.values)  # every state of the chain is present
    users = ctx.extra["users"]
    for name in ("cadre1", "cadre2"):
        pledge = Pledge.objects.get(pledger_cadre=users[name].cadre, year=2026)
        assert pledge.status == Pledge.Status.ISSUED  # each has a pledge to sign
    village1 = users["village1"].cadre
    assert Pledge.objects.get(pledger_village_id=village1.village_id, year=2026).status == Pledge.Status.SIGNED
    quarter = last_due_quarter(TODAY)
    checks = DisclosureCheck.objects.filter(township=township, year=quarter.year, quarter=quarter.quarter)
    # Every village, and the township (政务) and its three schools (校务) whose requirements the demo switches on.
    assert checks.filter(subject_kind="village").count() == 20
    assert checks.filter(subject_kind="township").count() == 1
    assert checks.filter(subject_kind="school").count() == 3
    assert checks.filter(missing_count__gt=0).exists()  # some gaps to follow up
    assert Inspection.objects.filter(kind="unannounced", published_at__isnull=True).exists()
    assert Matter.objects.filter(source="inspection").count() == 1

    again = _ctx()
    cadres_demo.seed(again)
    seed_duties(again)
    assert _counts() == first


def seed_duties(ctx):  # type: ignore[no-untyped-def]
    for part in (pledges, disclosures, inspections):
        part.seed(ctx)
