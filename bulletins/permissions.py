"""Who may do what with a bulletin (docs/design.md §4). Visibility itself is in selectors.bulletins_for.

- compile and edit: the office (党政办) of the bulletin's township;
- approve (草稿 → 已审核): a township leader (党委书记, 镇长);
- publish (已审核 → 已发布): the office or a leader;
- download: anyone who sees a published bulletin; drafts only the office, leaders and county.
"""

from __future__ import annotations

from cadres.roles import Actor, Role

from .models import Bulletin


def in_township(actor: Actor, township_id: int) -> bool:
    return actor.township_ids is None or township_id in actor.township_ids


def can_compile(actor: Actor, township_id: int) -> bool:
    return actor.is_superuser or (Role.OFFICE in actor.roles and in_township(actor, township_id))


def can_edit(actor: Actor, bulletin: Bulletin) -> bool:
    return not bulletin.is_frozen and can_compile(actor, bulletin.township_id)


def can_approve(actor: Actor, bulletin: Bulletin) -> bool:
    return actor.is_superuser or (Role.LEADER in actor.roles and in_township(actor, bulletin.township_id))


def can_publish(actor: Actor, bulletin: Bulletin) -> bool:
    return actor.is_superuser or (
        bool(actor.roles & {Role.OFFICE, Role.LEADER}) and in_township(actor, bulletin.township_id)
    )


def can_download(actor: Actor, bulletin: Bulletin) -> bool:
    """Published bulletins: whoever may see them. Drafts: the people who write and approve them."""
    if bulletin.is_frozen:
        return True
    return actor.is_superuser or (
        bool(actor.roles & {Role.OFFICE, Role.LEADER, Role.COUNTY}) and in_township(actor, bulletin.township_id)
    )


def sees_drafts(actor: Actor) -> bool:
    return actor.is_superuser or bool(actor.roles & {Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.COUNTY})
