"""Roles follow from groups and posts; scope starts from them."""

from cadres.roles import Role, actor_for


def test_roles_follow_posts_and_groups(world):
    assert actor_for(world.secretary.user).roles == {Role.LEADER, Role.CADRE}
    assert Role.INSPECTOR in actor_for(world.inspector.user).roles
    assert Role.OFFICE in actor_for(world.office.user).roles
    assert Role.UNIT_HEAD in actor_for(world.unit_head.user).roles
    assert Role.LEADER_IN_CHARGE in actor_for(world.deputy.user).roles
    assert actor_for(world.cadre1.user).roles == {Role.CADRE}
    assert actor_for(world.village1.user).roles == {Role.VILLAGE_CADRE}
    reporter = actor_for(world.reporter_user)
    assert reporter.roles == {Role.REPORTER} and reporter.township_ids == {world.township.pk}


def test_outsider_belongs_to_the_other_township_only(world):
    assert actor_for(world.outsider.user).township_ids == {world.other_township.pk}
