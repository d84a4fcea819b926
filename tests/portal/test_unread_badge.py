"""The page chrome's unread count (portal.context_processors): the user's own unread notifications
only, read ones and other people's not counted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import Notification

pytestmark = pytest.mark.django_db


def test_unread_badge_counts_only_my_unread_notifications(client, world):
    me, other = world.secretary.user, world.office.user
    for n in range(3):
        Notification.objects.create(recipient=me, kind="test", title=f"未读{n}")
    Notification.objects.create(recipient=me, kind="test", title="已读", read_at=timezone.now())
    Notification.objects.create(recipient=other, kind="test", title="别人的")
    client.force_login(me)

    response = client.get("/notifications/")

    assert response.context["unread_notifications"] == 3
    assert '<span class="badge" aria-hidden="true">3</span>' in response.content.decode()


def test_no_badge_without_unread_notifications(client, world):
    Notification.objects.create(recipient=world.secretary.user, kind="test", title="已读", read_at=timezone.now())
    client.force_login(world.secretary.user)

    response = client.get("/notifications/")

    assert response.context["unread_notifications"] == 0
    assert 'class="badge"' not in response.content.decode()
