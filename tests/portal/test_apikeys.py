"""API keys for systems: shown once, stored hashed, read-only, township-scoped, rate-limited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from cadres.models import Village
from cadres.roles import SYSTEM
from core.errors import StateError
from portal.apikeys import api_key_create, api_key_revoke
from portal.models import ApiKey, AuditEvent, hash_secret
from tests import factories as f
from tests.helpers import api_client, assert_num_queries, assert_same_queries


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def new_key(township=None, **kwargs):  # type: ignore[no-untyped-def]
    return api_key_create(name="县作风办数据平台", township=township, created_by=None, **kwargs)


# --- issuing ----------------------------------------------------------------------------------------


def test_created_key_is_returned_once_and_only_its_digest_is_stored(world):
    key, raw = new_key(world.township)

    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.digest == hash_secret(raw)
    assert stored.prefix == raw[:12]
    assert raw.startswith("wsp_") and len(raw) > 40
    assert all(raw not in str(getattr(stored, f.attname)) for f in ApiKey._meta.concrete_fields)
    assert stored.read_only is True
    assert stored.expires_at > timezone.now() + timedelta(days=364)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_ISSUED)
    assert event.detail == {"api_key": key.prefix, "name": "县作风办数据平台", "township": world.township.pk}
    assert raw not in str(event.detail)


def test_rate_must_read_like_a_throttle_rate(world):
    with pytest.raises(ValidationError) as error:
        new_key(world.township, rate="很多")
    assert "600/min" in str(error.value)
    assert ApiKey.objects.count() == 0


def test_office_creates_a_key_in_the_admin_and_sees_it_exactly_once(world, client):
    office = world.office.user
    office.is_staff = True
    office.save()
    client.force_login(office)
    form = client.get("/admin/portal/apikey/add/").content.decode()
    assert 'name="name"' in form and 'name="township"' in form and 'name="rate"' in form
    assert 'name="digest"' not in form and 'name="prefix"' not in form

    response = client.post(
        "/admin/portal/apikey/add/",
        {"name": "县数据平台", "township": world.township.pk, "rate": "600/min",
         "expires_at_0": "2027-12-31", "expires_at_1": "00:00:00"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r'value="(wsp_[A-Za-z0-9_\-]+)"', page).group(1)  # type: ignore[union-attr]
    key = ApiKey.objects.get()
    assert key.digest == hash_secret(raw)
    assert key.created_by == office
    assert key.township == world.township
    assert "no-store" in response["Cache-Control"]
    # Nowhere else: not in the session, not in the audit log, not on the key's own page.
    assert all(raw not in s.session_data and raw not in str(s.get_decoded()) for s in Session.objects.all())
    assert all(raw not in str(e.detail) for e in AuditEvent.objects.all())
    change_page = client.get(f"/admin/portal/apikey/{key.pk}/change/")
    listing = client.get("/admin/portal/apikey/")
    assert (change_page.status_code, listing.status_code) == (200, 200)
    assert raw not in change_page.content.decode() and raw not in listing.content.decode()
    assert key.prefix in listing.content.decode() and "有效" in listing.content.decode()


def test_only_the_office_manages_keys_in_the_admin(world, client):
    cadre = world.cadre1.user
    cadre.is_staff = True
    cadre.save()
    client.force_login(cadre)

    response = client.post("/admin/portal/apikey/add/", {"name": "x", "rate": "600/min",
                                                          "expires_at_0": "2027-12-31", "expires_at_1": "00:00:00"})

    assert response.status_code == 403
    assert ApiKey.objects.count() == 0


def test_admin_action_revokes_and_the_key_stops_working_at_once(world, admin_client):
    key, raw = new_key(world.township)
    assert api_client(api_key=raw).get("/api/v1/me/").status_code == 200

    response = admin_client.post("/admin/portal/apikey/", {"action": "revoke", "_selected_action": [key.pk]})

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_client(api_key=raw).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TOKEN_REVOKED, detail__api_key=key.prefix).count() == 1


def test_revoking_twice_is_refused_with_a_reason(world):
    key, _raw = new_key(world.township)
    api_key_revoke(key=key, actor=SYSTEM)
    with pytest.raises(StateError) as error:
        api_key_revoke(key=key, actor=SYSTEM)
    assert "已于" in error.value.message


# --- who the key is -------------------------------------------------------------------------------------


def test_key_acts_as_the_reporter_of_its_township(world):
    key, raw = new_key(world.township)

    body = api_client(api_key=raw).get("/api/v1/me/").json()

    assert body == {"username": f"api-key:{key.prefix}", "cadre": None, "name": "县作风办数据平台",
                    "roles": ["reporter"], "township": world.township.pk, "villages": []}


def test_county_key_is_the_reporter_of_every_township(world):
    _key, raw = new_key(None)
    api = api_client(api_key=raw)

    me = api.get("/api/v1/me/").json()
    villages = api.get("/api/v1/villages/?page_size=200").json()["results"]

    assert (me["roles"], me["township"]) == (["reporter"], None)
    assert {v["id"] for v in villages} == {world.v1.pk, world.v2.pk, world.v3.pk, world.v_other.pk}


def test_township_key_never_lists_another_townships_objects(world):
    _key, raw = new_key(world.township)
    api = api_client(api_key=raw)

    villages = api.get("/api/v1/villages/?page_size=200").json()["results"]
    households = api.get("/api/v1/households/?page_size=200").json()["results"]

    assert {v["id"] for v in villages} == {world.v1.pk, world.v2.pk, world.v3.pk}
    assert world.h_other.pk not in {h["id"] for h in households}
    assert {h["id"] for h in households} == {world.h1.pk, world.h2.pk, world.h3.pk}


def test_another_townships_object_is_a_404_for_a_key(world):
    _key, raw = new_key(world.township)
    api = api_client(api_key=raw)

    assert api.get(f"/api/v1/villages/{world.v_other.pk}/").status_code == 404
    assert api.get(f"/api/v1/households/{world.h_other.pk}/").status_code == 404
    assert api.get(f"/api/v1/villages/{world.v1.pk}/").status_code == 200


def test_key_sees_households_only_with_masked_names_and_phones(world):
    _key, raw = new_key(world.township)

    body = api_client(api_key=raw).get(f"/api/v1/households/{world.h1.pk}/").json()

    assert (body["head_name"], body["phone"]) == ("张*", "138****5678")


def test_key_gets_figures_by_village_and_unit_but_never_per_cadre(world):
    _key, raw = new_key(world.township)
    api = api_client(api_key=raw)
    url = "/api/v1/reports/diary-completeness/?start=2026-11-02&end=2026-11-06&by="

    by_village, by_unit, by_cadre = (api.get(url + by) for by in ("village", "unit", "cadre"))

    assert (by_village.status_code, by_unit.status_code, by_cadre.status_code) == (200, 200, 403)
    assert {row["village_id"] for row in by_village.json()["results"]} == {world.v1.pk, world.v2.pk, world.v3.pk}
    assert "cadre_id" not in str(by_unit.json())


# --- refused keys change nothing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "过期"),
        ({"revoked_at": timezone.now() - timedelta(days=1)}, "撤销"),
    ],
)
def test_expired_or_revoked_key_is_refused_with_401(world, change, message):
    key, raw = new_key(world.township)
    ApiKey.objects.filter(pk=key.pk).update(**change)

    response = api_client(api_key=raw).get("/api/v1/villages/")

    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"]
    key.refresh_from_db()
    assert key.last_used_at is None


@pytest.mark.parametrize("header", ["Api-Key wsp_not-a-key", "Api-Key", "Api-Key a b"])
def test_unknown_or_malformed_key_is_refused_with_401(world, header):
    new_key(world.township)
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=header)

    response = api.get("/api/v1/villages/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_method_with_a_key_is_refused_and_nothing_changes(world, method):
    key, raw = new_key(world.township)
    before = list(Village.objects.order_by("pk").values())
    url = "/api/v1/villages/" if method == "post" else f"/api/v1/villages/{world.v1.pk}/"

    response = getattr(api_client(api_key=raw), method)(
        url, {"township": world.township.pk, "name": "新村", "code": "V777", "kind": "village"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "API 密钥是只读的，不能新增、修改或删除数据。"
    assert list(Village.objects.order_by("pk").values()) == before
    key.refresh_from_db()
    assert key.last_used_at is None
    refusal = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (refusal.user, refusal.username) == (None, f"api-key:{key.prefix}")


def test_a_report_downloaded_with_a_key_is_audited_under_the_keys_name(world):
    key, raw = new_key(world.township)

    response = api_client(api_key=raw).get("/api/v1/reports/matters/?start=2026-11-01&end=2026-11-30&format=csv")

    assert response.status_code == 200
    b"".join(response.streaming_content)
    export = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (export.user, export.username) == (None, f"api-key:{key.prefix}")


# --- rate and last use ------------------------------------------------------------------------------------


def test_each_key_is_limited_to_its_own_rate(world):
    _key, raw = new_key(world.township, rate="2/min")
    _other, other_raw = new_key(world.township)
    api = api_client(api_key=raw)

    answers = [api.get("/api/v1/me/").status_code for _ in range(3)]
    throttled = api.get("/api/v1/me/")

    assert answers == [200, 200, 429]
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert api_client(api_key=other_raw).get("/api/v1/me/").status_code == 200
    person = api_client(world.reporter_user)
    assert person.get("/api/v1/me/").status_code == 200


def test_last_used_is_written_at_most_once_a_minute(world):
    key, raw = new_key(world.township)
    api = api_client(api_key=raw)

    api.get("/api/v1/me/")
    key.refresh_from_db()
    first = key.last_used_at
    api.get("/api/v1/me/")
    key.refresh_from_db()
    second = key.last_used_at
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/api/v1/me/")
    key.refresh_from_db()

    assert first is not None
    assert second == first
    assert key.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - key.last_used_at < timedelta(seconds=5)


def test_key_authentication_costs_one_query_once_last_use_is_fresh(world):
    _key, raw = new_key(world.township)
    api = api_client(api_key=raw)
    with assert_num_queries(2):  # the key, and its last-used time
        assert api.get("/api/v1/me/").status_code == 200
    with assert_num_queries(1):
        assert api.get("/api/v1/me/").status_code == 200


def test_village_list_for_a_key_costs_the_same_at_one_row_and_at_many(world):
    _key, raw = new_key(world.other_township)
    api = api_client(api_key=raw)
    api.get("/api/v1/me/")  # last use written

    one, many = assert_same_queries(lambda: api.get("/api/v1/villages/"),
                                    lambda: f.VillageFactory.create_batch(30, township=world.other_township))
    assert one.json()["count"] == 1
    assert many.json()["count"] == 31
