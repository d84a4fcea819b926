"""Matter pages: diary → matter → closed through the pages; refusals; lights; query counts pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision.models import Matter
from tests import factories as f
from tests.helpers import assert_num_queries, page_client


def test_whole_path_from_diary_to_closed_in_the_pages(client, world):
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, category="infrastructure", problems="桥面破损")
    client.force_login(world.cadre1.user)
    client.post(f"/diaries/{diary.pk}/raise-matter/", {"category": "infrastructure", "description": "桥面破损"})
    matter = Matter.objects.get()
    url = f"/matters/{matter.pk}/"

    client.force_login(world.office.user)
    office_page = client.get(url).content.decode()
    assert f'action="{url}assign/"' in office_page and f'action="{url}close/"' not in office_page
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(f"{url}assign/", {"unit": world.unit.pk, "assignee": world.cadre2.pk,
                                             "deadline": deadline, "note": "请一周内修复"})
    assert response.status_code == 302

    client.force_login(world.cadre2.user)
    page = client.get(url).content.decode()
    assert f'action="{url}start/"' in page and "请一周内修复" in page
    assert client.post(f"{url}start/").status_code == 302
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(f"{url}resolve/", {"resolution": "已更换桥面板", "evidence": pdf}).status_code == 302

    client.force_login(world.cadre1.user)
    page = client.get(url).content.decode()
    assert f'action="{url}revisit/"' in page and "查看佐证材料" in page
    assert client.post(f"{url}revisit/", {"satisfaction": "satisfied", "note": "群众满意"}).status_code == 302

    client.force_login(world.office.user)
    assert client.post(f"{url}close/", {"note": ""}).status_code == 302
    matter.refresh_from_db()
    assert matter.status == "closed"
    timeline = client.get(url).content.decode()
    for step in ("登记", "交办", "办理中", "已办结", "已回访", "销号"):
        assert step in timeline


def test_refused_actions_in_the_pages_change_nothing(client, world):
    matter = f.MatterFactory(village=world.v1, raised_by=world.cadre1, unit=world.unit, assignee=world.cadre2,
                             status="assigned")
    url = f"/matters/{matter.pk}/"
    client.force_login(world.cadre1.user)
    response = client.post(f"{url}start/")
    assert response.status_code == 403 and "只有承办人或承办单位负责人可以办理。" in response.content.decode()
    client.force_login(world.office.user)
    response = client.post(f"{url}close/", {"note": ""})
    assert response.status_code == 400 and "只有已回访的事项才能销号" in response.content.decode()
    client.force_login(world.cadre3.user)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}start/").status_code == 404
    client.force_login(world.cadre2.user)
    assert client.post(f"{url}explode/").status_code == 404
    matter.refresh_from_db()
    assert (matter.status, matter.events.count()) == ("assigned", 0)


def test_bad_evidence_in_the_page_keeps_the_text_and_says_why(world):
    matter = f.MatterFactory(village=world.v1, unit=world.unit, assignee=world.cadre2, status="in_progress")
    fake = SimpleUploadedFile("photo.png", b"GIF89a" + b"\x00" * 64, content_type="image/png")
    response = page_client(world.cadre2.user).post(f"/matters/{matter.pk}/resolve/",
                                                       {"resolution": "已处理完毕", "evidence": fake})
    assert response.status_code == 400
    html = response.content.decode()
    assert "文件类型不符" in html and "已处理完毕" in html
    matter.refresh_from_db()
    assert matter.status == "in_progress" and not matter.evidence


def test_register_a_petition_and_refuse_another_townships_village(client, world):
    client.force_login(world.office.user)
    response = client.post("/matters/new/", {"source": "petition", "external_ref": "信访〔2026〕12号",
                                             "village": world.v_other.pk, "category": "disputes",
                                             "description": "土地纠纷"})
    assert response.status_code == 400 and "所选村不属于您所在的乡镇。" in response.content.decode()
    assert "土地纠纷" in response.content.decode()
    assert Matter.objects.count() == 0
    response = client.post("/matters/new/", {"source": "petition", "external_ref": "信访〔2026〕12号",
                                             "village": world.v2.pk, "category": "disputes",
                                             "description": "土地纠纷"})
    assert response.status_code == 302
    assert Matter.objects.get().external_ref == "信访〔2026〕12号"


def test_list_shows_lights_and_filters_mine(client, world):
    today = timezone.localdate()
    f.MatterFactory(village=world.v1, assignee=world.cadre1, unit=world.unit, status="assigned",
                    deadline=today - dt.timedelta(days=1), description="逾期的事")
    f.MatterFactory(village=world.v1, status="registered", deadline=today + dt.timedelta(days=2),
                    description="临期的事")
    client.force_login(world.cadre1.user)
    html = client.get("/matters/").content.decode()
    assert 'class="light red"' in html and 'class="light yellow"' in html
    mine = client.get("/matters/?mine=on").content.decode()
    assert "逾期的事" in mine and "临期的事" not in mine
    red = client.get("/matters/?light=red").content.decode()
    assert "逾期的事" in red and "临期的事" not in red


@pytest.mark.parametrize("rows", [1, 50])
def test_list_page_query_count_is_constant(client, world, rows):
    for _i in range(rows):
        f.MatterFactory(village=world.v1, raised_by=world.cadre1, unit=world.unit, assignee=world.cadre2,
                        status="assigned")
    client.force_login(world.office.user)
    client.get("/matters/")
    with assert_num_queries(8):
        response = client.get("/matters/")
    assert response.status_code == 200


@pytest.mark.parametrize("events", [1, 20])
def test_detail_page_query_count_is_constant(client, world, events):
    matter = f.MatterFactory(village=world.v1, raised_by=world.cadre1, unit=world.unit, assignee=world.cadre2,
                             status="assigned")
    for _i in range(events):
        matter.events.create(action="assign", from_status="registered", to_status="assigned", by=world.office.user)
    client.force_login(world.office.user)
    client.get(f"/matters/{matter.pk}/")
    with assert_num_queries(11):  # 10, and one for the decisions on its groups of problems (一类事)
        assert client.get(f"/matters/{matter.pk}/").status_code == 200
