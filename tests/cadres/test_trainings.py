"""Trainings page (/trainings/): a cadre's own attendance; the office ticks who came."""

from __future__ import annotations

import datetime as dt

from cadres.models import Training, TrainingAttendance
from tests.helpers import assert_num_queries, page_client


def _training(township, title="工作方法培训班", day=dt.date(2026, 11, 20)) -> Training:  # type: ignore[no-untyped-def]
    return Training.objects.create(township=township, title=title, date=day, hours=3)


def test_a_cadre_sees_their_own_trainings_and_attendance_only(world):
    mine = _training(world.township, "我的培训")
    missed = _training(world.township, "缺席的培训")
    other = _training(world.township, "别人的培训")
    TrainingAttendance.objects.create(training=mine, cadre=world.cadre1, present=True)
    TrainingAttendance.objects.create(training=missed, cadre=world.cadre1, present=False)
    TrainingAttendance.objects.create(training=other, cadre=world.cadre2, present=True)
    html = page_client(world.cadre1.user).get("/trainings/").content.decode()
    assert "我的培训" in html and "缺席的培训" in html and "别人的培训" not in html
    assert "登记出勤" not in html


def test_office_records_attendance_by_ticking_names(world):
    training = _training(world.township)
    TrainingAttendance.objects.create(training=training, cadre=world.cadre3, present=True)
    client = page_client(world.office.user)
    page = client.get(f"/trainings/{training.pk}/attendance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "干部甲" in html and "外镇干部" not in html
    answer = client.post(f"/trainings/{training.pk}/attendance/", {"present": [world.cadre1.pk, world.cadre2.pk]})
    assert answer.status_code == 302
    rows = dict(TrainingAttendance.objects.filter(training=training).values_list("cadre__name", "present"))
    assert rows == {"干部甲": True, "干部乙": True, "干部丙": False}


def test_office_cannot_tick_another_townships_cadre(world):
    training = _training(world.township)
    answer = page_client(world.office.user).post(f"/trainings/{training.pk}/attendance/",
                                                 {"present": [world.cadre1.pk, world.outsider.pk]})
    assert answer.status_code == 400
    assert "不是本镇在岗干部" in answer.content.decode()
    assert not TrainingAttendance.objects.filter(training=training).exists()


def test_another_townships_training_is_a_404_and_cadres_may_not_record(world):
    other = _training(world.other_township)
    assert page_client(world.office.user).get(f"/trainings/{other.pk}/attendance/").status_code == 404
    own = _training(world.township)
    answer = page_client(world.cadre1.user).post(f"/trainings/{own.pk}/attendance/", {"present": [world.cadre1.pk]})
    assert answer.status_code == 404
    assert not TrainingAttendance.objects.exists()


def test_the_trainings_page_costs_the_same_at_1_and_20_trainings(world):
    client = page_client(world.cadre1.user)
    for i in range(1, 21):
        t = _training(world.township, f"培训{i}")
        TrainingAttendance.objects.create(training=t, cadre=world.cadre1, present=True)
        if i == 1:
            client.get("/trainings/")
            from django.db import connection
            from django.test.utils import CaptureQueriesContext
            with CaptureQueriesContext(connection) as one:
                client.get("/trainings/")
    with assert_num_queries(len(one.captured_queries)):
        client.get("/trainings/")
