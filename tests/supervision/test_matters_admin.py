"""Admin actions on matters go through the same services (and the same refusals)."""

from __future__ import annotations

from django.contrib.auth.models import User

from supervision.models import Matter
from tests import factories as f


def test_admin_close_action_uses_the_service_and_reports_refusals(client, world):
    admin = User.objects.create_superuser("boss", password="Test-password-2026")
    ready = f.MatterFactory(village=world.v1, status="revisited", satisfaction="satisfied")
    early = f.MatterFactory(village=world.v1, status="in_progress")
    client.force_login(admin)
    response = client.post("/admin/supervision/matter/", {"action": "close_matters",
                                                           "_selected_action": [ready.pk, early.pk]}, follow=True)
    html = response.content.decode()
    assert "已销号 1 件。" in html and f"#{early.pk}：只有已回访的事项才能销号（当前：办理中）。" in html
    assert Matter.objects.get(pk=ready.pk).status == "closed"
    assert Matter.objects.get(pk=early.pk).status == "in_progress"
    assert list(Matter.objects.get(pk=ready.pk).events.values_list("action", flat=True)) == ["close"]


def test_diaries_are_read_only_in_the_admin(client, world):
    admin = User.objects.create_superuser("boss", password="Test-password-2026")
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, situation="原文")
    client.force_login(admin)
    assert client.get(f"/admin/supervision/diary/{diary.pk}/change/").status_code == 200
    assert client.get("/admin/supervision/diary/add/").status_code == 403
    client.post(f"/admin/supervision/diary/{diary.pk}/change/", {"situation": "改写"})
    diary.refresh_from_db()
    assert diary.situation == "原文"


def test_admin_history_shows_beijing_time_names_and_status_labels(client, world):
    import datetime as dt
    import re

    import time_machine
    from django.utils import timezone

    # given a matter registered without an assignee, then assigned to 干部乙 by the office at 01:30 UTC
    with time_machine.travel(dt.datetime(2026, 12, 4, 1, 30, tzinfo=dt.UTC), tick=False):
        matter = f.MatterFactory(village=world.v1, status="registered")
        matter.status, matter.assignee, matter.unit = "assigned", world.cadre2, world.unit
        matter._history_user = world.office.user  # type: ignore[attr-defined]
        matter.save()
    admin = User.objects.create_superuser("boss", password="Test-password-2026")
    client.force_login(admin)

    html = client.get(f"/admin/supervision/matter/{matter.pk}/history/").content.decode()

    # then the version list reads as people say it
    assert "2026-12-04 09:30" in html  # Beijing time, not 01:30 UTC
    assert "党政办干部（office）" in html  # the cadre's name, not only the log-in
    assert re.search(r"登记\s*→\s*交办", html)  # status labels, not slugs
    assert "干部乙" in html
    assert "Deleted" not in html and "pk=None" not in html and "registered" not in html
    assert timezone.is_aware(matter.history.first().history_date)
