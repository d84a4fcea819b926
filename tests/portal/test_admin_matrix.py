"""An authorization matrix of the admin, generated from `admin.site._registry`.

For every registered ModelAdmin: the changelist, add, change, delete, the history list and each
history version, asked by the office of one township about objects of its own township and of
the other one, and by the roles that do not administer anything (made staff by mistake, the
worst case). One object of each model is built in each township; a model without a builder
must be one the office cannot reach at all (403), or one every township shares (read-only for
the office: tests/portal/test_admin_scope.py). A new admin joins by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.contrib import admin as django_admin
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import Client

from cadres.models import CalendarDay, ExcusedAbsence, Membership, ModelFigure, School, Transfer
from core.models import JobRun, Notification
from portal.models import AccessToken, ApiKey, AuditEvent
from supervision.models import AgendaItem, DisclosureRequirement, DisclosureRubric
from tests import factories as f
from tests.portal.test_admin_scope import form_data
from tests.portal.test_authz_matrix import objects_of

START = dt.date(2026, 1, 1)
EXPIRES = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
# Settings every township shares (rows without a township): the office reads them, edits nothing.
SHARED = {"cadres.householdtag", "cadres.contactquota", "supervision.gradethreshold", "supervision.deadlinerule"}
NON_ADMIN_ROLES = ("cadre1", "secretary", "inspector", "reporter", "village1")
DENIED = (302, 403, 404)  # 302: the admin's "does not exist (or was deleted)" answer


def more_objects(w: Any, side: str, base: dict[str, Model]) -> dict[str, Model]:
    """The models the API does not list, one object in the township of `side`."""
    t, cadre = base["cadres.township"], base["cadres.cadre"]
    user = cadre.user
    tag = "东" if side == "main" else "西"
    builders: dict[str, Callable[[], Any]] = {
        "cadres.modelfigure": lambda: ModelFigure.objects.create(
            township=t, cadre=cadre, title=f"{tag}典型", story="事迹", period_start=START, period_end=START),
        "cadres.school": lambda: School.objects.create(township=t, name=f"{tag}学校"),
        "cadres.calendarday": lambda: CalendarDay.objects.create(township=t, date=dt.date(2026, 8, 3), name=f"{tag}调休"),
        "cadres.excusedabsence": lambda: ExcusedAbsence.objects.create(cadre=cadre, start=START, end=START,
                                                                      note=f"{tag}请假"),
        "cadres.transfer": lambda: Transfer.objects.create(cadre=cadre, successor=cadre, date=START,
                                                           from_post="staff", note=f"{tag}调动"),
        "cadres.membership": lambda: Membership.objects.create(
            user=f.UserFactory(username=f"{side}_member"), township=t),
        "supervision.pledgetemplate": lambda: f.PledgeTemplateFactory(township=t, name=f"{tag}模板"),
        "supervision.disclosurerequirement": lambda: DisclosureRequirement.objects.create(
            township=t, domain="village_affairs", category=f"{tag}公开事项", frequency="quarterly"),
        "supervision.disclosurerubric": lambda: DisclosureRubric.objects.create(township=t),
        "supervision.agendaitem": lambda: AgendaItem.objects.create(
            township=t, diary=base["supervision.diary"], title=f"{tag}议题", adopted_by=cadre),
        "portal.accesstoken": lambda: AccessToken.objects.create(user=user, digest=side.ljust(64, "t"),
                                                                 prefix=f"{side[:3]}tok", expires_at=EXPIRES),
        "portal.auditevent": lambda: AuditEvent.objects.create(kind="login", user=user, username=user.username,
                                                               ip_address="10.1.1.1" if side == "main" else "10.2.2.2"),
        "core.jobrun": lambda: JobRun.objects.create(name=f"{side}_import", started_by=user,
                                                       params={"file": f"{side}.xlsx"}),
        "portal.apikey": lambda: ApiKey.objects.create(name=f"{side}密钥", township=t, prefix=f"{side[:3]}key",
                                                       digest=side.ljust(64, "k")),
        "core.notification": lambda: Notification.objects.create(recipient=user, kind="general",
                                                                   title=f"{tag}通知"),
    }
    return {label: build() for label, build in builders.items()}


@pytest.fixture
def matrix(world):  # type: ignore[no-untyped-def]
    main = objects_of(world, "main")
    other = objects_of(world, "other")
    main.update(more_objects(world, "main", main))
    other.update(more_objects(world, "other", other))
    hidden = f.InspectionFactory(township=world.township, subject_village=world.v1, kind="unannounced",
                                 title="暗访矩阵")
    return main, other, hidden


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def base_url(model: type[Model]) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def object_urls(model_admin: Any, obj: Model) -> dict[str, str]:
    """Change, delete, history list and every history version of one object."""
    url = f"{base_url(type(obj))}{obj.pk}/"
    urls = {"change": f"{url}change/", "delete": f"{url}delete/", "history": f"{url}history/"}
    if hasattr(type(obj), "history"):
        for version in obj.history.all():  # type: ignore[attr-defined]
            urls[f"version {version.history_id}"] = f"{url}history/{version.history_id}/"
    return urls


def identifying_text(obj: Model) -> str:
    return str(obj)


def snapshot(objects: dict[str, Model]) -> dict[str, Any]:
    return {label: model_to_dict(type(obj)._default_manager.get(pk=obj.pk)) for label, obj in objects.items()}


def tampered(form: Any, township_id: int) -> dict[str, Any]:
    """The object's own form with every free-text field changed and any township moved."""
    changes: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField) and not field.disabled:
            changes[name] = f"{form[name].value() or ''}改"
    if "township" in form.fields:
        changes["township"] = str(township_id)
    return form_data(form, **changes)


def registered() -> list[tuple[type[Model], Any]]:
    return sorted(django_admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def test_the_office_reads_and_writes_nothing_of_the_other_township(world, matrix):
    main, other, _hidden = matrix
    office = staff_client(world.office.user)
    root = staff_client(f.UserFactory(username="root", is_superuser=True))
    before = snapshot(other)
    wrong: list[str] = []
    unreachable = []
    for model, model_admin in registered():
        label = model._meta.label_lower
        listing = office.get(base_url(model))
        if label not in other:
            if label not in SHARED and listing.status_code != 403:
                unreachable.append(f"{label}: {listing.status_code} (no builder, yet the office reaches it)")
            continue
        obj = other[label]
        if listing.status_code == 200:
            ids = {row.pk for row in listing.context["cl"].result_list}
            distinct = label not in main or identifying_text(main[label]) != identifying_text(obj)
            if obj.pk in ids or (distinct and identifying_text(obj) in listing.content.decode()):
                wrong.append(f"{label}: listed")
            if label in main and main[label].pk not in ids and label != "core.notification":
                wrong.append(f"{label}: the own object is not listed (the matrix would be vacuous)")
        elif listing.status_code != 403:
            wrong.append(f"{label} list: {listing.status_code}")
        add = office.get(f"{base_url(model)}add/")
        if add.status_code == 200:
            for name, field in add.context["adminform"].form.fields.items():
                choices = getattr(field, "queryset", None)
                foreign = other.get(choices.model._meta.label_lower) if choices is not None else None
                if foreign is not None and choices.filter(pk=foreign.pk).exists():
                    wrong.append(f"{label} add: {name} offers the other township's {foreign}")
        elif add.status_code not in DENIED:
            wrong.append(f"{label} add: {add.status_code}")
        urls = object_urls(model_admin, obj)
        for name, url in urls.items():
            status = office.get(url).status_code
            if status not in DENIED:
                wrong.append(f"{label} GET {name}: {status}")
        page = root.get(urls["change"])
        data = tampered(page.context["adminform"].form, world.township.pk) if page.status_code == 200 else {}
        for name, url in urls.items():
            body = {"post": "yes"} if name == "delete" else data
            status = office.post(url, body).status_code
            if status not in DENIED:
                wrong.append(f"{label} POST {name}: {status}")
    assert unreachable == []
    assert wrong == []
    assert snapshot(other) == before


def test_hidden_records_stay_hidden_from_the_office(world, matrix):
    _main, _other, hidden = matrix
    office = staff_client(world.office.user)
    model_admin = django_admin.site._registry[type(hidden)]

    listing = office.get(base_url(type(hidden)))

    assert hidden.pk not in {row.pk for row in listing.context["cl"].result_list}
    assert "暗访矩阵" not in listing.content.decode()
    statuses = {name: office.get(url).status_code for name, url in object_urls(model_admin, hidden).items()}
    assert {name: status in DENIED if name in ("change", "delete") else status for name, status in statuses.items()} \
        == {name: True if name in ("change", "delete") else 404 for name in statuses}
    assert len(statuses) == 4  # change, delete, the history list and the one version


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_roles_that_administer_nothing_get_nothing_even_as_staff(world, matrix, role):
    main, other, hidden = matrix
    client = staff_client(world.users[role])
    before = snapshot(main) | {"hidden": model_to_dict(hidden)}
    wrong: list[str] = []
    for model, model_admin in registered():
        label = model._meta.label_lower
        status = client.get(base_url(model)).status_code
        if status != 403:
            wrong.append(f"{label} list: {status}")
        if client.get(f"{base_url(model)}add/").status_code not in DENIED:
            wrong.append(f"{label} add")
        for side in (main, other):
            if label not in side:
                continue
            urls = object_urls(model_admin, side[label])
            for name in ("change", "history"):
                if name in urls and client.get(urls[name]).status_code not in DENIED:
                    wrong.append(f"{label} GET {name}")
            if client.post(urls["delete"], {"post": "yes"}).status_code not in DENIED:
                wrong.append(f"{label} POST delete")
    assert wrong == []
    assert snapshot(main) | {"hidden": model_to_dict(type(hidden).objects.get(pk=hidden.pk))} == before


def test_roles_that_administer_nothing_are_sent_to_the_login_when_not_staff(world, matrix):
    main, _other, _hidden = matrix
    statuses = set()
    for role in NON_ADMIN_ROLES:
        client = Client()
        client.force_login(world.users[role])
        for model, _model_admin in registered():
            statuses.add(client.get(base_url(model)).status_code)
            if model._meta.label_lower in main:
                statuses.add(client.get(f"{base_url(model)}{main[model._meta.label_lower].pk}/history/").status_code)
    assert statuses == {302}
