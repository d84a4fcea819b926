"""API keys for systems (county platforms, analysts' scripts), not people.

A key is created and revoked in the admin; its raw value is shown once and only its SHA-256
digest is kept. A request that carries `Authorization: Api-Key <key>` is made by an
`ApiKeyPrincipal`: a user-like object without a database row that `cadres.roles.actor_for`
reads as the reporting role of the key's township (or of every township for a county key).
Every selector that scopes through the Actor therefore treats the key exactly like the
reporter: figures by village and unit, never per cadre, households with masked names and phones.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.manager import EmptyManager
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Township
from cadres.roles import Actor, Role, is_office_of
from core.errors import NotAllowed, StateError

from .audit import acting_user, audit
from .models import ApiKey, AuditEvent, hash_secret

# A recognisable prefix lets secret scanners and people spot a leaked key for what it is.
KEY_PREFIX = "wsp_"


def generate_raw_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def actor_for_key(key: ApiKey) -> Actor:
    """The reporting role, scoped to the key's township; a key without a township is county-wide."""
    return Actor(
        user_id=None,
        cadre=None,
        roles=frozenset({Role.REPORTER}),
        township_ids=None if key.township_id is None else frozenset({key.township_id}),
    )


class ApiKeyPrincipal:
    """The `request.user` of a request authenticated by an API key.

    It is not saved and has no primary key: nothing can be attributed to it in the database by
    accident. `_portal_actor` is the attribute `cadres.roles.actor_for` caches its answer in, so
    every caller of `actor_for(request.user)` gets the key's reporter Actor without a query.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    _groups = EmptyManager(Group)
    _user_permissions = EmptyManager(Permission)

    def __init__(self, key: ApiKey) -> None:
        self.api_key = key
        self.username = f"api-key:{key.prefix}"
        self._portal_actor = actor_for_key(key)

    def __str__(self) -> str:
        return str(self.api_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKeyPrincipal) and other.api_key.pk == self.api_key.pk

    def __hash__(self) -> int:
        return hash(("api-key", self.api_key.pk))

    @property
    def groups(self) -> EmptyManager:
        return self._groups

    @property
    def user_permissions(self) -> EmptyManager:
        return self._user_permissions

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.api_key.name

    def get_short_name(self) -> str:
        return self.api_key.name

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, module: str) -> bool:
        return False

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        return set()

    def is_verified(self) -> bool:
        """django-otp's question; a system has no second factor and never enters the admin."""
        return False


@transaction.atomic
def api_key_create(
    *,
    name: str,
    township: Township | None,
    created_by: Any,
    expires_at: datetime | None = None,
    rate: str = "600/min",
    request: Any = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is never stored and cannot be shown again."""
    raw = generate_raw_key()
    key = ApiKey(
        name=name,
        township=township,
        prefix=raw[:12],
        digest=hash_secret(raw),
        rate=rate,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    if expires_at is not None:
        key.expires_at = expires_at
    key.full_clean()
    key.save()
    audit(
        AuditEvent.Kind.TOKEN_ISSUED,
        request=request,
        user=created_by,
        detail={"api_key": key.prefix, "name": key.name, "township": key.township_id},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Actor, request: Any = None) -> ApiKey:
    """Revoke a key at once; requests that carry it answer 401 from now on. A township's key is its
    office's to revoke; a key without a township (the county's) a superuser's or the county's."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not (actor.is_superuser or Role.COUNTY in actor.roles
            or (key.township_id is not None and is_office_of(actor, key.township_id))):
        raise NotAllowed(_("只有本镇党政办可以撤销本镇的接口密钥。"))
    if key.revoked_at is not None:
        raise StateError(_("该密钥已于 %(when)s 撤销。") % {"when": f"{timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M}"})
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit(AuditEvent.Kind.TOKEN_REVOKED, request=request, user=acting_user(actor),
          detail={"api_key": key.prefix, "name": key.name})
    return key
