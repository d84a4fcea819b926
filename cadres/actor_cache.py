"""The Actor of a log-in, kept across requests in the shared cache.

Working out who is asking (groups, cadre record, units headed or supervised) costs three queries
and a fifth of a 50-row diary page's time, on every request, for facts that change a few times
a year. The Actor is therefore kept in the cache (Redis in production) for ACTOR_CACHE_SECONDS,
stamped with a *generation*: a random token that every change to what an Actor is made of
replaces, so the next request of every user builds a fresh one. What replaces it:

- saving or deleting a cadre, unit, membership, township, village, user or group, a village
  assignment or a household contact (the scope ids kept with the Actor, cadres.scope.scope_ids),
  and adding or removing a user's groups (the receivers below, at once and again when the
  transaction commits, so that a request that read the old rows before the commit cannot keep them);
- `forget_all_actors()`, which code that changes those rows behind the ORM's back
  (`QuerySet.update`, bulk writes, SQL by hand) must call.

The time limit bounds what a change made any other way could cost. The user row itself (active
or not, password changed) is read on every request by the authentication, never from here.
Entries are keyed by the shape of the records they hold, so a release that changes a cadre's
fields never reads what an older one wrote.

Facts derived from an Actor and kept on the object (its scope ids) are vouched for by
`is_current`: a process-local generation, replaced by the same changes, tells an object built or
read before a change in this process from one read after it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .roles import Actor

log = logging.getLogger(__name__)

GENERATION_KEY = "actor:generation"
# Where an Actor object records the local generation its derived facts were worked out under.
_VOUCHED = "_actor_cache_vouched"
_local = {"generation": 0}


def _key(user_id: Any) -> str:
    return f"actor:{_shape()}:user:{user_id}"


@functools.cache
def _shape() -> str:
    """The fields an Actor's pickled records have: a release that adds or drops one reads none of
    the entries an older release wrote (they would come back without it)."""
    from django.apps import apps

    names = [
        f"{model}:{field.attname}"
        for model in ("cadres.Cadre", "cadres.Township", "cadres.Unit", "cadres.Village")
        for field in apps.get_model(model)._meta.concrete_fields
    ]
    # And what is kept beside the Actor (its scope ids): an entry written without them, or with
    # other ones, would be read without them.
    from .scope import ScopeIds

    names += [f"scope:{field.name}" for field in dataclasses.fields(ScopeIds)]
    return hashlib.sha1(",".join(names).encode()).hexdigest()[:10]  # noqa: S324 - a fingerprint, not security


def cached_actor(user: AbstractBaseUser, build: Callable[[AbstractBaseUser], Actor]) -> Actor:
    """The user's Actor from the cache when its generation is current; else built and kept."""
    seconds = getattr(settings, "ACTOR_CACHE_SECONDS", 0)
    if seconds <= 0:
        return build(user)
    key = _key(user.pk)
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:  # the cache is an optimisation: without it, every request builds its own
        log.warning("actor cache unavailable; building the actor", exc_info=True)
        return build(user)
    generation, entry = found.get(GENERATION_KEY), found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        vouch(entry[1])  # what was kept with it is current: the shared generation says so
        return entry[1]
    actor = build(user)
    # Kept with the Actor: the ids its scope is made of (an assigned village, a contact
    # household …), which a cadre's every list reads; a few queries here, none per request.
    from .scope import scope_ids

    scope_ids(actor)
    try:
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION_KEY)
        if generation is not None:
            cache.set(key, (generation, actor), seconds)
    except Exception:
        log.warning("actor cache unavailable; the actor was not kept", exc_info=True)
    return actor


def vouch(actor: Actor) -> None:
    """What is kept on the actor object (cadres.scope.scope_ids) is current as of now."""
    actor.__dict__[_VOUCHED] = _local["generation"]


def is_current(actor: Actor) -> bool:
    """Whether nothing an Actor is made of has changed in this process since `vouch(actor)`."""
    return actor.__dict__.get(_VOUCHED) == _local["generation"]


def forget_all_actors() -> None:
    """Every cached Actor is stale from now on (and again when the current transaction commits)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    _local["generation"] += 1
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        # Entries still expire after ACTOR_CACHE_SECONDS; say so loudly, it is a scope change.
        log.error("could not invalidate the cached actors", exc_info=True)


def connect_receivers() -> None:
    """Replace the generation whenever a row an Actor is built from changes (called by apps.ready)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Cadre, HouseholdContact, Membership, Township, Unit, Village, VillageAssignment

    user_model = get_user_model()

    def on_change(sender: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        # A log-in stamps last_login on the user row; that changes nothing an Actor holds.
        if sender is user_model and fields is not None and set(fields) <= {"last_login"}:
            return
        forget_all_actors()

    def on_groups(sender: Any, action: str, **kwargs: Any) -> None:
        if action in {"post_add", "post_remove", "post_clear"}:
            forget_all_actors()

    for model in (Cadre, Unit, Membership, Township, Village, VillageAssignment, HouseholdContact, user_model, Group):
        uid = f"actor-cache-{model._meta.label_lower}"
        post_save.connect(on_change, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(on_change, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
    m2m_changed.connect(on_groups, sender=user_model.groups.through, dispatch_uid="actor-cache-groups", weak=False)
