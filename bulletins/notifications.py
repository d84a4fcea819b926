"""The bulletin's notification kinds (registered with core.notifications)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    BULLETIN_PUBLISHED = "bulletin_published", _("简报发布")
