"""A posting date is a claim: a village cadre may date a posting at most DISCLOSURE_BACKDATE_DAYS
before recording it (never in the future); the office may back-date further, and is recorded as
vouching for the date. The quarterly check counts an unvouched posting from its recording."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from cadres.roles import SYSTEM, actor_for
from supervision.models import Disclosure, DisclosureCheckItem, DisclosureRequirement
from supervision.services.disclosures import disclosure_check_run, disclosure_create
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
REFUSED = "公开日期不能早于登记日7天以上；补录更早的公开请由党政办登记确认。"


def requirement():
    return DisclosureRequirement.objects.get(township__isnull=True, category="村务工作计划及落实情况")


def valid(world, **overrides):
    data = {"actor": actor_for(world.village1.user), "village": world.v1, "requirement": requirement(), "title": "三季度村务公开",
            "content": "道路硬化情况", "period_start": D(2026, 7, 1), "period_end": D(2026, 9, 30),
            "posted_on": f.today()}
    data.update(overrides)
    return data


def test_a_village_cadre_cannot_back_date_beyond_the_grace(world):
    for posted_on in (D(1900, 1, 1), f.today() - dt.timedelta(days=8)):
        with pytest.raises(ValidationError) as caught:
            disclosure_create(**valid(world, posted_on=posted_on))
        assert caught.value.message_dict["posted_on"] == [REFUSED]
    assert not Disclosure.objects.exists()

    # within the grace: accepted, a claim nobody vouched for
    within = disclosure_create(**valid(world, posted_on=f.today() - dt.timedelta(days=7)))
    assert (within.posted_on, within.posted_on_confirmed_by) == (f.today() - dt.timedelta(days=7), None)


def test_the_grace_is_a_setting(world, settings):
    settings.PORTAL = {**settings.PORTAL, "DISCLOSURE_BACKDATE_DAYS": 2}
    with pytest.raises(ValidationError) as caught:
        disclosure_create(**valid(world, posted_on=f.today() - dt.timedelta(days=3)))
    assert caught.value.message_dict["posted_on"] == [
        "公开日期不能早于登记日2天以上；补录更早的公开请由党政办登记确认。"]


def test_the_office_may_back_date_and_is_recorded_as_vouching(world):
    disclosure = disclosure_create(**valid(world, actor=actor_for(world.office.user), posted_on=D(2026, 10, 10)))
    assert (disclosure.posted_on, disclosure.posted_on_confirmed_by) == (D(2026, 10, 10), world.office.user)
    assert disclosure.history.get().posted_on_confirmed_by == world.office.user
    # dated today, there is nothing to vouch for
    assert disclosure_create(**valid(world, actor=actor_for(world.office.user))).posted_on_confirmed_by is None


def test_the_api_answers_400_and_the_page_shows_the_error(world, client):
    api = APIClient()
    api.force_authenticate(world.village1.user)
    response = api.post("/api/v1/disclosures/", {
        "village": world.v1.pk, "requirement": requirement().pk, "title": "公开", "content": "内容",
        "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": "1900-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["posted_on"] == [REFUSED]

    client.force_login(world.village1.user)
    page = client.post("/disclosures/new/", {
        "village": world.v1.pk, "requirement": requirement().pk, "title": "三季度公开", "content": "内容",
        "period_start": "2026-07-01", "period_end": "2026-09-30", "posted_on": "1900-01-01", "channel": "board",
        "display_days": 10})
    assert page.status_code == 400
    assert REFUSED in page.content.decode()
    assert not Disclosure.objects.exists()


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def result_of(village):
    item = DisclosureCheckItem.objects.get(check_run__village=village, check_run__quarter=3,
                                           requirement=requirement())
    return item.result


def test_the_check_counts_an_unvouched_posting_from_its_recording(world):
    # given three postings claiming 10 October (the item is due 20 October): v1 recorded on the
    # 12th, v2 recorded on 25 October (after the due date), v3 likewise but vouched for by the office
    f.DisclosureFactory(village=world.v1, requirement=requirement(), posted_on=D(2026, 10, 10),
                        created_at=at(D(2026, 10, 12)))
    f.DisclosureFactory(village=world.v2, requirement=requirement(), posted_on=D(2026, 10, 10),
                        created_at=at(D(2026, 10, 25)))
    f.DisclosureFactory(village=world.v3, requirement=requirement(), posted_on=D(2026, 10, 10),
                        created_at=at(D(2026, 10, 25)), posted_on_confirmed_by=world.office.user)
    # and one dated 1900-01-01 (stored by some other path), recorded on 1 December
    f.DisclosureFactory(village=world.v_other, requirement=requirement(), posted_on=D(1900, 1, 1),
                        created_at=at(D(2026, 12, 1)), period_start=D(2026, 7, 1), period_end=D(2026, 9, 30))

    # when the quarter is checked
    disclosure_check_run(year=2026, quarter=3, today=D(2026, 12, 2), actor=SYSTEM)

    # then only postings recorded (or vouched for) by the due date count as on time
    assert [result_of(v) for v in (world.v1, world.v2, world.v3, world.v_other)] == [
        "on_time", "late", "on_time", "late"]
