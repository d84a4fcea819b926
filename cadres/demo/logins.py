"""The fixed demo log-ins (admin, office, secretary …) on the main township's cadres."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group

from cadres.demo.data import LOGINS
from cadres.models import (
    Membership,
    Township,
)
from cadres.roles import Role
from core.demo import DemoContext


def seed_logins(ctx: DemoContext, main: Township) -> dict[str, Any]:
    user_model = get_user_model()
    new = ctx.extra.pop("_new_logins", {})
    users = {u.username: u for u in user_model.objects.filter(username__in=LOGINS)}
    for username in LOGINS:
        if username not in users:
            users[username] = user_model.objects.create(username=username, password=make_password(None))
    # One hash for all demo log-ins (their password is public anyway): Argon2 is slow on purpose,
    # and checking or hashing eight times would dominate the seed.
    verdicts: dict[str, bool] = {}
    fresh = ""
    for user in users.values():
        if user.password not in verdicts:
            verdicts[user.password] = check_password(ctx.password, user.password)
        if not verdicts[user.password]:
            fresh = fresh or make_password(ctx.password)
            user.password = fresh
            user.save(update_fields=["password"])
    admin = users["admin"]
    if not (admin.is_superuser and admin.is_staff):
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    office = users["office"]
    if not office.is_staff:
        office.is_staff = True  # the office works in the admin
        office.save(update_fields=["is_staff"])
    for username, cadre in new.items():
        cadre.user = users[username]
        cadre.save(update_fields=["user"])
    for username, role in (("office", Role.OFFICE), ("inspector", Role.INSPECTOR), ("reporter", Role.REPORTER)):
        users[username].groups.add(Group.objects.get_or_create(name=role)[0])
    Membership.objects.get_or_create(user=users["reporter"], defaults={"township": main})
    # County level (县委组织部): every township, as the reporter reads; works in the admin on the
    # county-wide defaults and grants the leader, inspector and office posts.
    county = users["county"]
    county.groups.add(Group.objects.get_or_create(name=Role.COUNTY)[0])
    Membership.objects.get_or_create(user=county, defaults={"township": None})
    if not county.is_staff:
        county.is_staff = True
        county.save(update_fields=["is_staff"])
    # Reload so `user.cadre` is current for whoever reads ctx.extra next.
    return {u.username: u for u in user_model.objects.filter(username__in=LOGINS).select_related("cadre")}
