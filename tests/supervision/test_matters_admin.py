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
