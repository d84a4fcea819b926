"""Notifications go out through channels: the in-app inbox always, e-mail where configured.

Callers name recipients and a message; adding SMS, 政务微信 or 钉钉 means adding a channel here,
never touching the callers (docs/design.md §5).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Notification

log = logging.getLogger(__name__)


class CoreKind(models.TextChoices):
    """The one kind that belongs to no app: a message the office writes by hand."""

    GENERAL = "general", _("通知")


_KIND_LABELS: dict[str, str | Promise] = {}


def register_kinds(kinds: type[models.TextChoices]) -> None:
    """An app declares its notification kinds here (from its AppConfig.ready), so the inbox can
    label them without the kernel knowing any app."""
    _KIND_LABELS.update(dict(kinds.choices))


def kind_label(kind: str) -> str:
    return str(_KIND_LABELS.get(kind, kind))


register_kinds(CoreKind)


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""


class Channel(Protocol):
    def deliver(self, users: list[Any], message: Message) -> list[Any]:
        """Deliver to users; return those actually reached for the first time."""


class InboxChannel:
    def deliver(self, users: list[Any], message: Message) -> list[Any]:
        reached = []
        for user in users:
            if message.dedupe_key:
                _note, created = Notification.objects.get_or_create(
                    recipient=user, dedupe_key=message.dedupe_key,
                    defaults={"kind": message.kind, "title": message.title[:200], "body": message.body,
                              "url": message.url},
                )
            else:
                Notification.objects.create(recipient=user, kind=message.kind, title=message.title[:200],
                                            body=message.body, url=message.url)
                created = True
            if created:
                reached.append(user)
        return reached


class EmailChannel:
    def deliver(self, users: list[Any], message: Message) -> list[Any]:
        addresses = [u.email for u in users if getattr(u, "email", "")]
        if not addresses:
            return []
        body = message.body + (f"\n\n{message.url}" if message.url else "")
        # After commit, so a rolled-back change never sends mail; failures are logged, not raised,
        # because the inbox already holds the message.
        def _send() -> None:
            try:
                send_mail(message.title, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
            except OSError:
                log.warning("e-mail notification failed for %s", message.dedupe_key or message.title)

        transaction.on_commit(_send)
        return users


def channels() -> list[Channel]:
    enabled: list[Channel] = [InboxChannel()]
    if getattr(settings, "PORTAL_EMAIL_NOTIFICATIONS", False):
        enabled.append(EmailChannel())
    return enabled


def notify(*, users: Iterable[Any], kind: str, title: str, body: str = "", url: str = "",
           dedupe_key: str = "") -> int:
    """Send one message to each user (None and inactive users are skipped); returns how many were
    newly notified. With a dedupe_key, a second call for the same user does nothing."""
    recipients = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    if not recipients:
        return 0
    message = Message(kind=kind, title=str(title), body=str(body), url=url, dedupe_key=dedupe_key)
    inbox, *others = channels()
    reached = inbox.deliver(recipients, message)
    for channel in others:
        if reached:
            channel.deliver(reached, message)
    return len(reached)


def notify_cadres(*, cadres: Iterable[Any], **kwargs: Any) -> int:
    """Notify cadres through their log-ins (cadres without a log-in cannot be reached in-app)."""
    return notify(users=[c.user for c in cadres if c is not None and c.user_id], **kwargs)
