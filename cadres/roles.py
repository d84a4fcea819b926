"""Roles (docs/design.md §4), derived from a log-in's groups and its cadre's post and duties.

Groups carry the roles that are appointments rather than posts (office, inspector, reporter,
county); the rest follow from the cadre record, so a transfer changes them without anyone
having to remember to edit a group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed

from .models import TOP_POSTS, Cadre, Post

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(TextChoices):
    COUNTY = "county", _("县级")
    LEADER = "leader", _("镇领导")
    LEADER_IN_CHARGE = "leader_in_charge", _("分管领导")
    INSPECTOR = "inspector", _("纪委")
    OFFICE = "office", _("党政办")
    UNIT_HEAD = "unit_head", _("站办所负责人")
    CADRE = "cadre", _("机关干部")
    VILLAGE_CADRE = "village_cadre", _("村干部")
    REPORTER = "reporter", _("报表用户")


# Roles assigned by group membership (group names are the role slugs).
GROUP_ROLES = frozenset({Role.COUNTY, Role.OFFICE, Role.INSPECTOR, Role.REPORTER, Role.LEADER})
# Roles that see the whole township (or county) rather than their own corner of it.
TOWNSHIP_WIDE = frozenset({Role.COUNTY, Role.LEADER, Role.OFFICE, Role.INSPECTOR, Role.REPORTER})


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user, their cadre record (if any), their roles and their townships."""

    user_id: int | None
    cadre: Cadre | None
    roles: frozenset[str]
    township_ids: frozenset[int] | None  # None: every township (county level)
    unit_ids_headed: frozenset[int] = field(default_factory=frozenset)
    unit_ids_supervised: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False
    is_staff: bool = False
    # True only for SYSTEM below: jobs, demo data and management commands, never a request.
    is_system: bool = False

    def has(self, *roles: str) -> bool:
        return self.is_superuser or any(role in self.roles for role in roles)

    @property
    def township_wide(self) -> bool:
        return self.is_superuser or bool(self.roles & TOWNSHIP_WIDE)

    @property
    def cadre_id(self) -> int | None:
        return self.cadre.pk if self.cadre else None

    @property
    def is_reporter_only(self) -> bool:
        """The reporting role gets aggregates and masked data, never per-cadre figures."""
        return not self.is_superuser and self.roles <= {Role.REPORTER}

    @property
    def is_nobody(self) -> bool:
        """No role, no cadre record: sees nothing. Test this rather than `user_id is None`: an API
        key (portal.apikeys) has no user row, hence no user_id, yet it is a township's reporter."""
        return not self.is_superuser and not self.roles and self.cadre is None

    @property
    def township_id(self) -> int | None:
        if self.township_ids is not None and len(self.township_ids) == 1:
            return next(iter(self.township_ids))
        return None


ANONYMOUS = Actor(user_id=None, cadre=None, roles=frozenset(), township_ids=frozenset())

# The system itself: scheduled jobs, demo data, management commands and migrations act as it. It
# may do what a superuser may, has no user (nothing is attributed to a person) and is never what
# `actor_for` answers, so no request can act as it.
SYSTEM = Actor(user_id=None, cadre=None, roles=frozenset(), township_ids=None, is_superuser=True, is_system=True)


def is_office_of(actor: Actor, township_id: int | None) -> bool:
    """The township's party-government office (党政办), a superuser or the system: who keeps its
    master data, checks and pledges (docs/design.md §4)."""
    if not actor.has(Role.OFFICE):
        return False
    return actor.township_ids is None or township_id in actor.township_ids


def require_system(actor: Actor) -> None:
    """Refuse anyone but the system (scheduled jobs, commands) or a superuser: the township-wide
    sweeps (reminders, escalation, the quarterly check) are not a person's action."""
    if not actor.is_superuser:
        raise NotAllowed(_("只有系统任务或超级管理员可以运行此操作。"))


def require_office(actor: Actor, township_id: int | None, message: str | None = None) -> None:
    """Refuse (NotAllowed) anyone but the office of `township_id`."""
    if not is_office_of(actor, township_id):
        raise NotAllowed(message or _("只有本镇党政办可以进行此操作。"))

_CACHE_ATTR = "_portal_actor"


def actor_for(user: AbstractBaseUser | AnonymousUser | None) -> Actor:
    """The Actor for a user: once per user object (i.e. once per request), and kept across
    requests in the cache until anything it is built from changes (cadres.actor_cache)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and not cached.is_system:
        return cached
    from .actor_cache import cached_actor

    actor = cached_actor(user, _build_actor)
    if actor.cadre is not None:
        # `user.cadre` (the layout shows the name) then needs no query of its own.
        setattr(user, "cadre", actor.cadre)  # noqa: B010 - the reverse one-to-one descriptor caches it
    setattr(user, _CACHE_ATTR, actor)
    return actor


def _build_actor(user: AbstractBaseUser) -> Actor:
    from .models import Membership, Unit

    roles: set[str] = {g for g in user.groups.values_list("name", flat=True) if g in Role.values}  # type: ignore[attr-defined]
    cadre = Cadre.objects.filter(user=user, is_active=True).select_related("township", "unit", "village").first()
    headed: frozenset[int] = frozenset()
    supervised: frozenset[int] = frozenset()
    township_ids: frozenset[int] | None
    if cadre is not None:
        township_ids = frozenset({cadre.township_id})
        posts = {cadre.post, *cadre.extra_posts}
        if posts & TOP_POSTS:
            roles.add(Role.LEADER)
        if Post.DISCIPLINE_SECRETARY in posts:
            roles.add(Role.INSPECTOR)
        if cadre.level == Cadre.Level.VILLAGE:
            roles.add(Role.VILLAGE_CADRE)
        else:
            roles.add(Role.CADRE)
        units = list(Unit.objects.filter(Q_head_or_lic(cadre.pk)).values_list("pk", "head_id", "leader_in_charge_id"))
        headed = frozenset(pk for pk, head, _lic in units if head == cadre.pk)
        supervised = frozenset(pk for pk, _head, lic in units if lic == cadre.pk)
        if headed:
            roles.add(Role.UNIT_HEAD)
        if supervised:
            roles.add(Role.LEADER_IN_CHARGE)
    else:
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            township_ids = None if user.is_superuser else frozenset()  # type: ignore[attr-defined]
        elif membership.township_id is None:
            township_ids = None
            roles.add(Role.COUNTY)
        else:
            township_ids = frozenset({membership.township_id})
    if Role.COUNTY in roles:
        township_ids = None
    return Actor(
        user_id=user.pk,
        cadre=cadre,
        roles=frozenset(roles),
        township_ids=township_ids,
        unit_ids_headed=headed,
        unit_ids_supervised=supervised,
        is_superuser=bool(getattr(user, "is_superuser", False)),
        is_staff=bool(getattr(user, "is_staff", False)),
    )


def Q_head_or_lic(cadre_id: int):  # type: ignore[no-untyped-def]  # noqa: N802
    from django.db.models import Q

    return Q(head_id=cadre_id) | Q(leader_in_charge_id=cadre_id)
