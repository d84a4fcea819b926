"""The log-ins page (/cadres/logins/) and the hand-out sheet."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from cadres.models import InitialPassword
from tests import factories as f
from tests.helpers import page_client

User = get_user_model()


def test_office_creates_a_log_in_from_the_page_and_sees_the_password_once(world):
    cadre = f.CadreFactory(township=world.township, name="新干部", unit=world.unit, user=None)
    client = page_client(world.office.user)
    page = client.get("/cadres/logins/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "新干部" in html and "外镇干部" not in html
    answer = client.post("/cadres/logins/", {"cadre": cadre.pk, "action": "create", "username": "xin"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    password = re.search(r'data-issued-password>([^<]+)<', answer.content.decode()).group(1)
    assert User.objects.get(username="xin").check_password(password)
    assert password not in client.get("/cadres/logins/").content.decode()


def test_a_taken_username_is_shown_beside_the_cadre_and_changes_nothing(world):
    cadre = f.CadreFactory(township=world.township, name="新干部", unit=world.unit, user=None)
    answer = page_client(world.office.user).post("/cadres/logins/",
                                                 {"cadre": cadre.pk, "action": "create", "username": "cadre1"})
    assert answer.status_code == 400
    assert "已被使用" in answer.content.decode()
    cadre.refresh_from_db()
    assert cadre.user_id is None


def test_another_townships_cadre_is_a_404_on_the_page(world):
    answer = page_client(world.office.user).post("/cadres/logins/", {"cadre": world.outsider.pk, "action": "end"})
    assert answer.status_code == 404
    world.outsider.user.refresh_from_db()
    assert world.outsider.user.is_active


def test_the_page_is_not_for_cadres(world):
    assert page_client(world.cadre1.user).get("/cadres/logins/").status_code == 404
    assert page_client(world.cadre1.user).post("/cadres/logins/handout/", {"cadres": [world.cadre2.pk]}).status_code == 404


def test_the_hand_out_sheet_prints_fresh_passwords_that_work(world):
    client = page_client(world.office.user)
    sheet = client.post("/cadres/logins/handout/", {"cadres": [world.cadre1.pk, world.cadre2.pk, world.outsider.pk]})
    assert sheet.status_code == 200
    html = sheet.content.decode()
    assert "干部甲" in html and "干部乙" in html and "外镇干部" not in html
    passwords = re.findall(r'class="secret">([^<]+)<', html)
    assert len(passwords) == 2
    for cadre in (world.cadre1, world.cadre2):
        cadre.user.refresh_from_db()
        assert sum(cadre.user.check_password(p) for p in passwords) == 1
    assert InitialPassword.objects.filter(user=world.cadre1.user).exists()
    world.outsider.user.refresh_from_db()
    assert world.outsider.user.check_password(f.PASSWORD)


def test_the_cadre_import_may_open_log_ins_and_offers_the_hand_out_sheet(world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import JobRun

    content = ("姓名,职务,所在站办所,电话\n新干部,机关干部,财政所,13900002222\n新站员,机关干部,财政所,\n").encode("utf-8-sig")
    client = page_client(world.office.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cadres/import/", {"file": SimpleUploadedFile("干部.csv", content, content_type="text/csv"),
                                        "create_logins": "on"})
    job = JobRun.objects.get()
    assert job.status == "succeeded", job.params
    from cadres.models import Cadre

    cadre = Cadre.objects.get(name="新干部")
    other = Cadre.objects.get(name="新站员")
    assert sorted(job.params["result"]["login_cadres"]) == sorted([cadre.pk, other.pk])
    assert cadre.user.username == "13900002222" and not cadre.user.has_usable_password()
    assert other.user.username == f"cadre{other.pk}"  # no phone number: the username is made from the id
    job_page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/cadres/logins/?job={job.pk}" in job_page
    logins = client.get(f"/cadres/logins/?job={job.pk}").content.decode()
    assert f'value="{cadre.pk}" form="handout-form" checked' in logins
    sheet = client.post("/cadres/logins/handout/", {"cadres": [cadre.pk]}).content.decode()
    password = re.findall(r'class="secret">([^<]+)<', sheet)[0]
    cadre.user.refresh_from_db()
    assert cadre.user.check_password(password)


def test_the_log_ins_page_costs_the_same_at_a_few_and_many_cadres(world):
    from tests.helpers import assert_same_queries

    client = page_client(world.office.user)

    def grow() -> None:
        for i in range(30):
            f.CadreFactory(township=world.township, name=f"批量{i}", unit=world.unit2,
                           user=None if i % 2 else f.UserFactory())

    assert_same_queries(lambda: client.get("/cadres/logins/"), grow, warm=True)
