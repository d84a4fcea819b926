"""seed_demo's people and places: believable, idempotent, and the fixed log-ins work."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cadres import demo
from cadres.models import (
    Cadre,
    Household,
    HouseholdContact,
    Membership,
    Post,
    Township,
    Training,
    TrainingAttendance,
    Unit,
    Village,
    VillageAssignment,
)
from cadres.roles import Role, actor_for
from cadres.selectors import quota_status
from core.demo import DemoContext

PASSWORD = "Demo-password-2026"
MODELS = [Township, Village, Unit, Cadre, VillageAssignment, Household, HouseholdContact, Training,
          TrainingAttendance, Membership]


def _ctx(seed: int = 2026) -> DemoContext:
    return DemoContext(rng=random.Random(seed), seed=seed, scale="township", password=PASSWORD,
                       today=timezone.localdate(), out=lambda line: None)


def _logs_in(username: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": PASSWORD})
    return response.status_code == 302 and response.url == "/"


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.mark.slow
def test_seed_twice_gives_the_same_data_and_the_logins_work(db):
    ctx = _ctx()
    demo.seed(ctx)
    first = _counts()
    names = list(Cadre.objects.order_by("id").values_list("name", flat=True)[:20])
    demo.seed(_ctx())
    assert _counts() == first
    assert first["Township"] == 1 and 18 <= first["Village"] <= 22 and 90 <= first["Cadre"] <= 130
    assert 4500 <= first["Household"] <= 5500
    assert list(Cadre.objects.order_by("id").values_list("name", flat=True)[:20]) == names

    main = ctx.main_township
    assert (main.name, ctx.townships) == ("东河镇", [main])
    assert {"东河村", "光明路村"} <= set(Village.objects.filter(township=main).values_list("name", flat=True))
    assert {"党政办", "农业服务中心", "财政所"} <= set(Unit.objects.values_list("name", flat=True))
    # One leading cadre in every village.
    assert VillageAssignment.objects.filter(role="leader", end__isnull=True).count() == first["Village"]

    for username in demo.LOGINS:
        assert _logs_in(username), username
    cadres = ctx.extra["cadres"]
    assert set(cadres) == {"office", "secretary", "unithead", "cadre1", "cadre2", "village1", "inspector"}
    assert cadres["unithead"].unit == cadres["cadre1"].unit and cadres["cadre1"].unit.head == cadres["unithead"]
    assert ctx.extra["users"]["admin"].is_superuser and not hasattr(ctx.extra["users"]["admin"], "cadre")
    assert (cadres["secretary"].post, cadres["inspector"].post) == (Post.PARTY_SECRETARY, Post.DISCIPLINE_SECRETARY)
    assert cadres["cadre1"].unit == cadres["cadre2"].unit
    villages1 = set(VillageAssignment.objects.filter(cadre=cadres["cadre1"]).values_list("village", flat=True))
    villages2 = set(VillageAssignment.objects.filter(cadre=cadres["cadre2"]).values_list("village", flat=True))
    assert villages1 and villages2 and not villages1 & villages2
    for name, villages in (("cadre1", villages1), ("cadre2", villages2)):
        contact_villages = set(HouseholdContact.objects.filter(cadre=cadres[name]).values_list(
            "household__village", flat=True))
        assert contact_villages and contact_villages <= villages
    assert cadres["village1"].village_id == VillageAssignment.objects.filter(cadre=cadres["cadre1"]).order_by(
        "village__code").first().village_id
    # Leaders link 1 poor party-member household and 10 farmers.
    assert not quota_status(cadres["secretary"]).is_short
    assert quota_status(cadres["cadre2"]).shortfall == 1

    roles = {name: actor_for(user).roles for name, user in ctx.extra["users"].items()}
    assert Role.OFFICE in roles["office"] and Role.LEADER in roles["secretary"]
    assert Role.UNIT_HEAD in roles["unithead"]
    assert Role.INSPECTOR in roles["inspector"] and roles["reporter"] == {Role.REPORTER}
    assert Role.VILLAGE_CADRE in roles["village1"]
    assert ctx.extra["users"]["office"].is_staff


@pytest.mark.slow
def test_seed_demo_command_runs_the_cadres_part(db, monkeypatch, capsys):
    monkeypatch.setattr("portal.management.commands.seed_demo.DEMO_PARTS", ["cadres.demo"])
    call_command("seed_demo", "--password", PASSWORD, "--seed", "7")
    call_command("seed_demo", "--password", PASSWORD, "--seed", "7")
    assert Township.objects.count() == 1
    assert "东河镇" in capsys.readouterr().out
    assert _logs_in("cadre1")
