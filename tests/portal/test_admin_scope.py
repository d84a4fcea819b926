"""The admin keeps a township's office to its township (security issue #15, admin part).

History pages and reverts, API keys, tokens, audit events and job runs, the settings every
township shares, and exported cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import timezone

from cadres.models import ContactQuota, HouseholdTag, Training
from cadres.resources import HouseholdResource
from core.models import JobRun
from portal.models import AccessToken, ApiKey, AuditEvent
from supervision.models import DisclosureRequirement, DisclosureRubric, GradeThreshold
from tests import factories as f

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def office(world) -> Client:  # type: ignore[no-untyped-def]
    user = world.office.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser() -> Client:
    user = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def form_data(form: Any, **changes: Any) -> dict[str, Any]:
    """What a browser would post back for an unbound admin form, with `changes` applied."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    for name, value in changes.items():
        data[name] = value
    return data


# --- 1. history pages and reverts ---------------------------------------------------------------------


def test_the_other_townships_cadre_history_is_404_and_shows_no_phone(world, office):
    cadre = f.CadreFactory(township=world.other_township, name="外镇会计", phone="13566667777")
    version = cadre.history.latest().history_id

    listing = office.get(f"/admin/cadres/cadre/{cadre.pk}/history/")
    detail = office.get(f"/admin/cadres/cadre/{cadre.pk}/history/{version}/")

    assert (listing.status_code, detail.status_code) == (404, 404)
    assert "13566667777" not in listing.content.decode() + detail.content.decode()


def test_the_own_cadre_history_still_opens_for_the_office(world, office):
    version = world.cadre1.history.latest().history_id

    assert office.get(f"/admin/cadres/cadre/{world.cadre1.pk}/history/").status_code == 200
    assert office.get(f"/admin/cadres/cadre/{world.cadre1.pk}/history/{version}/").status_code == 200


def test_an_unannounced_inspection_history_is_404_for_the_office_even_in_its_township(world, office):
    inspection = f.InspectionFactory(township=world.township, subject_village=world.v1, kind="unannounced",
                                     title="暗访东河村")
    version = inspection.history.latest().history_id

    assert office.get(f"/admin/supervision/inspection/{inspection.pk}/history/").status_code == 404
    assert office.get(f"/admin/supervision/inspection/{inspection.pk}/history/{version}/").status_code == 404


def test_a_revert_posted_on_the_other_townships_training_changes_nothing(world, office, superuser):
    training = Training.objects.create(township=world.other_township, title="外镇培训", date=dt.date(2026, 5, 1))
    version = training.history.latest().history_id
    url = f"/admin/cadres/training/{training.pk}/history/{version}/"
    data = form_data(superuser.get(url).context["adminform"].form, title="被改了", township=str(world.township.pk))

    response = office.post(url, data)

    training.refresh_from_db()
    assert response.status_code == 404
    assert (training.title, training.township_id) == ("外镇培训", world.other_township.pk)


def test_a_revert_cannot_move_the_own_training_to_another_township(world, office):
    training = Training.objects.create(township=world.township, title="本镇培训", date=dt.date(2026, 5, 1))
    version = training.history.latest().history_id
    training.title = "改过的培训"
    training.save()
    url = f"/admin/cadres/training/{training.pk}/history/{version}/"
    data = form_data(office.get(url).context["adminform"].form, township=str(world.other_township.pk))

    response = office.post(url, data)

    training.refresh_from_db()
    assert response.status_code == 200  # the change form again, with the error
    assert "township" in response.context["adminform"].form.errors
    assert (training.title, training.township_id) == ("改过的培训", world.township.pk)


def test_a_revert_of_the_own_training_restores_the_version(world, office):
    training = Training.objects.create(township=world.township, title="本镇培训", date=dt.date(2026, 5, 1))
    version = training.history.latest().history_id
    training.title = "改过的培训"
    training.save()
    url = f"/admin/cadres/training/{training.pk}/history/{version}/"

    response = office.post(url, form_data(office.get(url).context["adminform"].form))

    training.refresh_from_db()
    assert response.status_code == 302
    assert training.title == "本镇培训"


def test_a_revert_needs_the_change_permission(world, office):
    quota = ContactQuota.objects.get(post="staff")
    quota.save()  # a first version (the defaults were written by a migration, without history)
    version = quota.history.latest().history_id
    url = f"/admin/cadres/contactquota/{quota.pk}/history/{version}/"
    data = form_data(office.get(url).context["adminform"].form, farmer="99")

    response = office.post(url, data)

    quota.refresh_from_db()
    assert response.status_code == 403
    assert quota.farmer == 5


def test_every_history_admin_is_scoped():
    from simple_history.admin import SimpleHistoryAdmin

    from cadres.admin import ScopedHistoryAdmin

    unscoped = [type(a).__name__ for a in django_admin.site._registry.values()
                if isinstance(a, SimpleHistoryAdmin) and not isinstance(a, ScopedHistoryAdmin)]
    assert unscoped == []


# --- 2. API keys ----------------------------------------------------------------------------------------


def _add_key(client: Client, township: Any) -> Any:
    expires = (timezone.now() + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    return client.post("/admin/portal/apikey/add/", {
        "name": "县平台", "township": str(township.pk) if township else "", "rate": "600/min",
        "expires_at_0": expires, "expires_at_1": "00:00:00",
    })


def test_the_office_cannot_make_a_county_wide_key(world, office):
    response = _add_key(office, None)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["township"]
    assert ApiKey.objects.count() == 0


def test_the_office_cannot_make_a_key_for_another_township(world, office):
    response = _add_key(office, world.other_township)

    assert list(response.context["adminform"].form.errors) == ["township"]
    assert ApiKey.objects.count() == 0


def test_the_office_makes_a_key_for_its_own_township(world, office):
    response = _add_key(office, world.township)

    assert response.status_code == 200
    assert list(ApiKey.objects.values_list("township_id", flat=True)) == [world.township.pk]


def test_saving_a_key_of_another_township_is_refused_on_the_server(world):
    request = RequestFactory().post("/admin/portal/apikey/add/")
    request.user = world.office.user
    model_admin = django_admin.site._registry[ApiKey]

    for township in (None, world.other_township):
        with pytest.raises(PermissionDenied):
            model_admin.save_model(request, ApiKey(name="偷偷", township=township), form=None, change=False)
    assert ApiKey.objects.count() == 0


def _key(township: Any, name: str) -> ApiKey:
    return ApiKey.objects.create(name=name, township=township, prefix=name[:8], digest=name.ljust(64, "0"))


def test_the_office_lists_and_opens_only_its_townships_keys(world, office):
    own, other, county = _key(world.township, "own"), _key(world.other_township, "other"), _key(None, "county")

    listed = {k.pk for k in office.get("/admin/portal/apikey/").context["cl"].result_list}

    assert listed == {own.pk}
    assert office.get(f"/admin/portal/apikey/{other.pk}/change/").status_code == 302
    assert office.get(f"/admin/portal/apikey/{county.pk}/change/").status_code == 302


# --- 3. tokens, audit events, job runs ------------------------------------------------------------------


def test_the_office_sees_only_its_townships_tokens_and_cannot_revoke_others(world, office):
    own = AccessToken.objects.create(user=world.cadre1.user, digest="a" * 64, prefix="own", expires_at=NOW)
    other = AccessToken.objects.create(user=world.outsider.user, digest="b" * 64, prefix="other", expires_at=NOW)
    reporter = AccessToken.objects.create(user=world.reporter_user, digest="c" * 64, prefix="rep", expires_at=NOW)

    listed = {t.pk for t in office.get("/admin/portal/accesstoken/").context["cl"].result_list}
    office.post("/admin/portal/accesstoken/", {"action": "revoke", "_selected_action": [own.pk, other.pk]})

    assert listed == {own.pk, reporter.pk}
    assert office.get(f"/admin/portal/accesstoken/{other.pk}/change/").status_code == 302
    other.refresh_from_db()
    own.refresh_from_db()
    assert (own.revoked_at is not None, other.revoked_at) == (True, None)


def test_the_office_sees_only_its_townships_audit_events(world, office):
    own = AuditEvent.objects.create(kind="login", user=world.cadre1.user, username="cadre1", ip_address="10.0.0.1")
    other = AuditEvent.objects.create(kind="login", user=world.outsider.user, username="outsider",
                                      ip_address="10.9.9.9")
    nobody = AuditEvent.objects.create(kind="login_failed", username="nobody", ip_address="10.8.8.8")

    response = office.get("/admin/portal/auditevent/")

    listed = {e.pk for e in response.context["cl"].result_list}
    assert own.pk in listed and not listed & {other.pk, nobody.pk}
    assert listed == set(AuditEvent.objects.filter(user__cadre__township=world.township).values_list("pk", flat=True))
    assert "10.9.9.9" not in response.content.decode() and "10.8.8.8" not in response.content.decode()
    assert office.get(f"/admin/portal/auditevent/{other.pk}/change/").status_code == 302


def test_the_office_sees_only_its_townships_job_runs(world, office):
    own = JobRun.objects.create(name="import", started_by=world.office.user, params={"file": "a.xlsx"})
    own_check = JobRun.objects.create(name="disclosure_check", started_by=world.office.user,
                                      params={"township": world.township.pk})
    other = JobRun.objects.create(name="import", started_by=world.outsider.user, params={"file": "b.xlsx"})
    named_other = JobRun.objects.create(name="bulletin", started_by=world.office.user,
                                        params={"township_id": world.other_township.pk})
    county_wide = JobRun.objects.create(name="disclosure_check", started_by=world.office.user,
                                        params={"township": None})
    beat = JobRun.objects.create(name="nightly", params={})

    listed = {j.pk for j in office.get("/admin/core/jobrun/").context["cl"].result_list}

    assert listed == {own.pk, own_check.pk}
    for job in (other, named_other, county_wide, beat):
        assert office.get(f"/admin/core/jobrun/{job.pk}/change/").status_code == 302


# --- 4. shared settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "url"), [
    (ContactQuota, "/admin/cadres/contactquota/"),
    (HouseholdTag, "/admin/cadres/householdtag/"),
    (GradeThreshold, "/admin/supervision/gradethreshold/"),
])
def test_the_office_reads_but_does_not_edit_shared_settings(world, office, superuser, model, url):
    row = model.objects.order_by("pk").first()
    before = model.objects.filter(pk=row.pk).values().get()
    form = superuser.get(f"{url}{row.pk}/change/").context["adminform"].form

    assert office.get(url).status_code == 200
    assert office.get(f"{url}{row.pk}/change/").status_code == 200  # the read-only view
    assert office.post(f"{url}{row.pk}/change/", form_data(form)).status_code == 403
    assert office.get(f"{url}add/").status_code == 403
    assert office.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).values().get() == before


def test_the_list_of_contact_quotas_cannot_be_saved_by_the_office(world, office):
    quota = ContactQuota.objects.get(post="staff")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(quota.pk),
            "form-0-poor_party_member": "9", "form-0-farmer": "9", "_save": "1"}

    office.post("/admin/cadres/contactquota/", data)

    quota.refresh_from_db()
    assert (quota.poor_party_member, quota.farmer) == (0, 5)


def test_superusers_still_edit_shared_settings(world, superuser):
    quota = ContactQuota.objects.get(post="staff")
    form = superuser.get(f"/admin/cadres/contactquota/{quota.pk}/change/").context["adminform"].form

    superuser.post(f"/admin/cadres/contactquota/{quota.pk}/change/", form_data(form, farmer="6"))

    quota.refresh_from_db()
    assert quota.farmer == 6


def test_county_staff_edit_shared_settings(world):
    user = f.UserFactory(username="county", groups=["county"], is_staff=True)
    f.MembershipFactory(user=user, township=None)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_contactquota", "change_contactquota"]))
    client = Client()
    client.force_login(user)
    quota = ContactQuota.objects.get(post="staff")
    form = client.get(f"/admin/cadres/contactquota/{quota.pk}/change/").context["adminform"].form

    client.post(f"/admin/cadres/contactquota/{quota.pk}/change/", form_data(form, farmer="7"))

    quota.refresh_from_db()
    assert quota.farmer == 7


def test_the_office_edits_its_own_disclosure_requirements_but_not_the_shared_ones(world, office):
    shared = DisclosureRequirement.objects.filter(township__isnull=True).first()
    own = DisclosureRequirement.objects.create(township=world.township, domain=shared.domain, category="本镇事项",
                                               frequency=shared.frequency)
    other = DisclosureRequirement.objects.create(township=world.other_township, domain=shared.domain,
                                                 category="外镇事项", frequency=shared.frequency)
    url = "/admin/supervision/disclosurerequirement/"

    listed = {r.pk for r in office.get(url).context["cl"].result_list}
    own_form = office.get(f"{url}{own.pk}/change/").context["adminform"].form
    office.post(f"{url}{own.pk}/change/", form_data(own_form, category="本镇事项（改）"))
    shared_status = office.post(f"{url}{shared.pk}/change/", form_data(own_form, category="改")).status_code

    own.refresh_from_db()
    assert other.pk not in listed and {own.pk, shared.pk} <= listed
    assert own.category == "本镇事项（改）"
    assert shared_status == 403
    assert office.get(f"{url}{other.pk}/change/").status_code == 302


def test_the_list_of_disclosure_requirements_saves_no_shared_row_for_the_office(world, office):
    shared = DisclosureRequirement.objects.filter(township__isnull=True).order_by("pk").first()
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(shared.pk),
            "form-0-frequency": shared.frequency, "form-0-due_day": "28", "form-0-min_display_days": "99",
            "form-0-is_active": "on", "form-0-order": "0", "_save": "1"}

    office.post("/admin/supervision/disclosurerequirement/", data)

    shared.refresh_from_db()
    assert shared.min_display_days != 99


def test_a_new_disclosure_requirement_of_the_office_belongs_to_its_township(world, office):
    add = office.get("/admin/supervision/disclosurerequirement/add/").context["adminform"].form
    data = form_data(add, domain="village_affairs", category="新事项", frequency=add["frequency"].field.choices[1][0])

    blank = office.post("/admin/supervision/disclosurerequirement/add/", {**data, "township": ""})
    other = office.post("/admin/supervision/disclosurerequirement/add/",
                        {**data, "township": str(world.other_township.pk)})

    assert "township" in blank.context["adminform"].form.errors
    assert "township" in other.context["adminform"].form.errors
    assert not DisclosureRequirement.objects.filter(category="新事项").exists()


def test_the_rubric_list_is_filtered_by_township(world, office):
    general = DisclosureRubric.objects.get(township__isnull=True)
    own = DisclosureRubric.objects.create(township=world.township)
    other = DisclosureRubric.objects.create(township=world.other_township)

    listed = {r.pk for r in office.get("/admin/supervision/disclosurerubric/").context["cl"].result_list}

    assert listed == {general.pk, own.pk}
    assert office.get(f"/admin/supervision/disclosurerubric/{other.pk}/change/").status_code == 302
    assert office.post(f"/admin/supervision/disclosurerubric/{general.pk}/delete/", {"post": "yes"}).status_code \
        == 403


# --- 6. exported cells ---------------------------------------------------------------------------------


FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+2", "-3+4", "@SUM(A1)", "\t=1", "\r=2"]


def _export(client: Client, fmt: str) -> bytes:
    fields = {f"householdresource_{name}": "on" for name in HouseholdResource().get_export_order()}
    response = client.post("/admin/cadres/household/export/", {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200
    return response.content


def test_the_household_export_escapes_formulas_in_xlsx_and_csv(world, office):
    for i, text in enumerate(FORMULAS):
        f.HouseholdFactory(village=world.v1, head_name=f"户{i}", note=text)

    book = openpyxl.load_workbook(io.BytesIO(_export(office, "0")))
    rows = list(book.active.iter_rows(values_only=True))
    notes_xlsx = {row[3]: row[7] for row in rows[1:]}
    rows_csv = list(csv.reader(io.StringIO(_export(office, "1").decode("utf-8-sig"), newline="")))
    notes_csv = {row[3]: row[7] for row in rows_csv[1:]}

    expected = {f"户{i}": "'" + text for i, text in enumerate(FORMULAS)}
    assert {k: v for k, v in notes_xlsx.items() if k in expected} == expected
    assert {k: v for k, v in notes_csv.items() if k in expected} == expected
    assert all(cell.data_type == "s" for row in book.active.iter_rows(min_row=2) for cell in row
               if isinstance(cell.value, str))
