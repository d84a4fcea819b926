"""Log-ins of cadres (账号): the office creates, resets and ends them for its own township.

An initial password is random and readable, returned once to the caller (shown on the page, in the
API answer or on a printed hand-out) and kept only as its hash. Until its owner sets a password of
their own an InitialPassword row marks the log-in: the pages send them to the password change and
the API refuses (portal.accounts).

Ending a log-in deactivates it, makes its password unusable, unlinks it from the cadre and ends
its sessions and API tokens. cadres knows neither: portal registers what ends them
(`register_access_end`), as supervision registers its handovers with the transfers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed, StateError

from ..models import Cadre, InitialPassword
from ..roles import Actor, Role
from .pyramid import PRIVILEGED_GROUPS, PRIVILEGED_POSTS

# Letters and digits that cannot be mistaken for one another on paper (no 0/o, 1/l/i).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 3, 4


class AccountError(DomainError):
    code = "account"


class AccountExists(StateError):
    code = "account_exists"


@dataclass(frozen=True)
class IssuedPassword:
    """What a create or reset hands back, once: never stored in clear."""

    cadre: Cadre
    username: str
    initial_password: str


AccessEnd = Callable[[Any], Any]
# What ends a user's sessions and tokens, registered by portal from its AppConfig.ready.
_ACCESS_ENDS: list[AccessEnd] = []


def register_access_end(handler: AccessEnd) -> None:
    if handler not in _ACCESS_ENDS:
        _ACCESS_ENDS.append(handler)


AccountRecord = Callable[..., Any]
# What records who opened, reset or ended which log-in (portal: the security audit log).
_RECORDERS: list[AccountRecord] = []


def register_account_record(handler: AccountRecord) -> None:
    if handler not in _RECORDERS:
        _RECORDERS.append(handler)


def _record(action: str, *, actor: Actor | None, user: Any, cadre: Cadre) -> None:
    for handler in _RECORDERS:
        handler(action=action, by_id=actor.user_id if actor else None, user=user, cadre=cadre)


def access_end(*, user: Any) -> None:
    """End every session and API token of a log-in (it stays usable for a new log-in)."""
    for handler in _ACCESS_ENDS:
        handler(user)


def generate_password() -> str:
    """A random password a person can read off a sheet and type: 3 groups of 4, about 59 bits."""
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _i in range(_GROUP_LENGTH)) for _g in range(_GROUPS)
    )


def may_manage_accounts(actor: Actor) -> bool:
    return actor.has(Role.OFFICE, Role.COUNTY)


def _may_grant(actor: Actor) -> bool:
    return actor.is_superuser or Role.COUNTY in actor.roles


def _check(actor: Actor, cadre: Cadre) -> None:
    if not may_manage_accounts(actor):
        raise NotAllowed(_("只有党政办可以管理干部的登录账号。"))
    if actor.township_ids is not None and cadre.township_id not in actor.township_ids:
        # The views look cadres up through the actor's scope (a 404); this is the service's own guard.
        raise NotAllowed(_("只能管理本镇干部的登录账号。"))
    if _may_grant(actor):
        return
    posts = {cadre.post, *(cadre.extra_posts or [])} & PRIVILEGED_POSTS
    if posts:
        raise NotAllowed(
            _("该干部担任带有镇领导或纪委权限的职务，其登录账号只能由超级管理员或县级管理员管理。"), field="cadre"
        )
    user = cadre.user
    if user is not None and (
        user.is_superuser or user.is_staff or user.groups.filter(name__in=PRIVILEGED_GROUPS).exists()  # type: ignore[attr-defined]
    ):
        raise NotAllowed(
            _("该账号带有党政办、镇领导、纪委或县级权限，只能由超级管理员或县级管理员管理。"), field="cadre"
        )


def _lock(cadre: Cadre) -> Cadre:
    return Cadre.objects.select_for_update(of=("self",)).select_related("user").get(pk=cadre.pk)


def username_validate(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise AccountError(_("请填写登录名。"), field="username")
    user_model = get_user_model()
    if len(username) > 150:
        raise AccountError(_("登录名不能超过150个字符。"), field="username")
    try:
        user_model.username_validator(username)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise AccountError(
            _("登录名只能包含字母、数字和 @ . + - _ 这些符号。"), field="username"
        ) from exc
    if user_model.objects.filter(username__iexact=username).exists():
        raise AccountError(_("登录名「%(username)s」已被使用，请换一个。") % {"username": username}, field="username")
    return username


def _issue(user: Any, actor: Actor) -> str:
    password = generate_password()
    user.set_password(password)
    user.save()  # portal revokes the user's tokens on a new password (portal.authentication)
    InitialPassword.objects.update_or_create(user=user, defaults={"issued_by_id": actor.user_id})
    return password


@transaction.atomic
def account_create(*, actor: Actor, cadre: Cadre, username: str) -> IssuedPassword:
    """Give an active cadre without a log-in one, with no group: the roles follow the cadre record."""
    cadre = _lock(cadre)
    _check(actor, cadre)
    if not cadre.is_active:
        raise StateError(_("%(name)s 已不在岗，不能开通登录账号。") % {"name": cadre.name})
    if cadre.user_id is not None:
        raise AccountExists(_("%(name)s 已有登录账号，可重置密码或先停用。") % {"name": cadre.name})
    username = username_validate(username)
    user = get_user_model().objects.create_user(username=username)  # type: ignore[attr-defined]
    password = _issue(user, actor)
    cadre.user = user
    cadre.save(update_fields=["user"])
    _record("account_create", actor=actor, user=user, cadre=cadre)
    return IssuedPassword(cadre=cadre, username=username, initial_password=password)


@transaction.atomic
def account_reset(*, actor: Actor, cadre: Cadre) -> IssuedPassword:
    """A new one-time password; the old one, every session and every token stop working."""
    cadre = _lock(cadre)
    _check(actor, cadre)
    user = cadre.user
    if user is None or not user.is_active:
        raise StateError(_("%(name)s 还没有登录账号。") % {"name": cadre.name})
    if actor.user_id is not None and user.pk == actor.user_id:
        raise NotAllowed(_("不能在这里重置自己的密码，请使用“修改密码”。"))
    password = _issue(user, actor)
    access_end(user=user)
    _record("account_reset", actor=actor, user=user, cadre=cadre)
    return IssuedPassword(cadre=cadre, username=user.get_username(), initial_password=password)


@transaction.atomic
def account_end(*, actor: Actor, cadre: Cadre) -> None:
    """Stop the log-in: deactivated, unusable password, unlinked; sessions and tokens ended."""
    cadre = _lock(cadre)
    _check(actor, cadre)
    user = cadre.user
    if user is None:
        raise StateError(_("%(name)s 没有登录账号。") % {"name": cadre.name})
    if actor.user_id is not None and user.pk == actor.user_id:
        raise NotAllowed(_("不能停用自己的登录账号。"))
    _end(cadre, user)
    _record("account_end", actor=actor, user=user, cadre=cadre)


def _end(cadre: Cadre, user: Any) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    InitialPassword.objects.filter(user=user).delete()
    cadre.user = None
    cadre.save(update_fields=["user"])
    access_end(user=user)


def account_end_on_leaving(*, cadre: Cadre) -> bool:
    """The cadre left the township (cadres.services.transfers): nobody keeps their access."""
    user = Cadre.objects.filter(pk=cadre.pk).values_list("user_id", flat=True).first()
    if user is None:
        return False
    ended = get_user_model().objects.get(pk=user)
    _end(cadre, ended)
    _record("account_end_on_leaving", actor=None, user=ended, cadre=cadre)
    return True


def account_password_changed(*, user: Any) -> None:
    """The owner set a password of their own: the log-in is no longer on its initial password."""
    InitialPassword.objects.filter(user_id=user.pk).delete()


def password_change_required(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return InitialPassword.objects.filter(user_id=user.pk).exists()


def accounts_issue_for(*, actor: Actor, cadres: Iterable[Cadre]) -> list[IssuedPassword]:
    """The hand-out sheet: a fresh one-time password for each chosen cadre that has a log-in,
    generated now (printing it again gives new ones and stops the earlier sheet's)."""
    issued = []
    with transaction.atomic():
        for cadre in cadres:
            if cadre.user_id is None:
                continue
            issued.append(account_reset(actor=actor, cadre=cadre))
    return issued


def _import_username(cadre: Cadre, taken: set[str]) -> str:
    """The phone number (what a cadre remembers), else `cadre<id>`; never one already taken."""
    digits = "".join(ch for ch in cadre.phone if ch.isdigit())
    for candidate in (digits if len(digits) >= 7 else "", f"cadre{cadre.pk}", f"cadre{cadre.pk}-{secrets.randbelow(1000)}"):
        if candidate and candidate.lower() not in taken:
            return candidate
    raise AccountError(_("无法为 %(name)s 生成登录名。") % {"name": cadre.name})


def accounts_open_for_import(*, actor: Actor, cadre_ids: Iterable[int]) -> tuple[list[int], int]:
    """The cadre import's "create log-ins": a log-in for each imported active cadre without one,
    with no usable password yet: the office prints the hand-out sheet, which sets the one-time
    passwords at that moment (nothing to keep in clear meanwhile). Cadres whose log-in only a
    superuser or the county may give are skipped. Returns (cadres given a log-in, skipped)."""
    if not may_manage_accounts(actor):
        raise NotAllowed(_("只有党政办可以管理干部的登录账号。"))
    user_model = get_user_model()
    cadres = Cadre.objects.select_for_update(of=("self",)).filter(pk__in=list(cadre_ids), is_active=True,
                                                                   user__isnull=True).order_by("pk")
    opened: list[int] = []
    skipped = 0
    for cadre in cadres:
        try:
            _check(actor, cadre)
        except NotAllowed:
            skipped += 1
            continue
        candidates = {"".join(ch for ch in cadre.phone if ch.isdigit()), f"cadre{cadre.pk}"}
        taken = {u.lower() for u in user_model.objects.filter(username__in=candidates).values_list("username", flat=True)}
        user = user_model.objects.create_user(username=_import_username(cadre, taken))  # type: ignore[attr-defined]
        user.set_unusable_password()
        user.save(update_fields=["password"])
        InitialPassword.objects.update_or_create(user=user, defaults={"issued_by_id": actor.user_id})
        cadre.user = user
        cadre.save(update_fields=["user"])
        _record("account_create", actor=actor, user=user, cadre=cadre)
        opened.append(cadre.pk)
    return opened, skipped
