"""The county bulletin (issue #21): compiled from every township, approved and published by the
county with its own numbering, in the official layout (the PDF read back)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from bulletins.county_bulletin import county_bulletin_approve, county_bulletin_compile, county_bulletin_publish
from bulletins.models import CountyBulletin
from cadres.roles import actor_for
from core.errors import NotAllowed, StateError
from tests import factories as f
from tests.helpers import page_client

TODAY = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _november():  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def county_user(db):  # type: ignore[no-untyped-def]
    user = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=user, township=None)
    return user


def test_county_compiles_approves_and_publishes_with_its_own_numbers(world, county_user):
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 10, 12))
    client = page_client(county_user)
    response = client.post("/county/bulletins/", {"start": "2026-10-01", "end": "2026-10-31"})
    october = CountyBulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/county/bulletins/{october.pk}/"
    assert [r["township"] for r in october.figures["townships"]] == ["东河镇", "西山镇"]
    assert october.figures["totals"]["written"] == 1
    assert client.post(f"/county/bulletins/{october.pk}/publish/").status_code == 302
    october.refresh_from_db()
    assert october.status == "draft"  # not approved yet: refused with a message
    client.post(f"/county/bulletins/{october.pk}/approve/")
    client.post(f"/county/bulletins/{october.pk}/publish/")
    october.refresh_from_db()
    assert (october.status, october.year, october.number) == ("published", 2026, 1)

    actor = actor_for(county_user)
    quarter = county_bulletin_compile(actor=actor, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    county_bulletin_approve(actor=actor, bulletin=quarter)
    assert county_bulletin_publish(actor=actor, bulletin=quarter).number == 2
    with pytest.raises(StateError, match="已发布，不能重新汇总"):
        county_bulletin_compile(actor=actor, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))


def test_only_the_county_compiles_or_sees_it(world, county_user):
    bulletin = county_bulletin_compile(actor=actor_for(county_user), start=dt.date(2026, 10, 1),
                                       end=dt.date(2026, 10, 31))
    for user in (world.secretary.user, world.office.user, world.reporter_user):
        with pytest.raises(NotAllowed):
            county_bulletin_compile(actor=actor_for(user), start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
        client = page_client(user)
        assert client.get("/county/bulletins/").status_code == 404
        assert client.get(f"/county/bulletins/{bulletin.pk}/").status_code == 404
        assert client.post(f"/county/bulletins/{bulletin.pk}/approve/").status_code == 404
        assert client.get(f"/county/bulletins/{bulletin.pk}/pdf/").status_code == 404
    bulletin.refresh_from_db()
    assert bulletin.status == "draft" and CountyBulletin.objects.count() == 1


def test_bad_period_is_a_clear_error_and_changes_nothing(county_user):
    response = page_client(county_user).post("/county/bulletins/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not CountyBulletin.objects.exists()


def test_pdf_reads_back_in_the_official_layout(world, county_user):
    actor = actor_for(county_user)
    bulletin = county_bulletin_compile(actor=actor, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    county_bulletin_approve(actor=actor, bulletin=bulletin)
    county_bulletin_publish(actor=actor, bulletin=bulletin)
    response = page_client(county_user).get(f"/county/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "作风建设简报" in text and "2026年第1期" in text and "县委作风建设办公室编印" in text
    assert "东河镇" in text and "西山镇" in text and "不作排名" in text
    assert "草稿" not in text
