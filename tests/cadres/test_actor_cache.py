"""Who a log-in is (cadres.actor_cache) is kept across requests, and any change to what it is
built from — post, unit, groups, membership, the cadre record itself — shows on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import override_settings

from cadres.actor_cache import GENERATION_KEY, forget_all_actors
from cadres.models import Post
from cadres.roles import Role, actor_for
from tests import factories as f
from tests.helpers import assert_num_queries, queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_for_five_minutes():
    cache.clear()
    with override_settings(ACTOR_CACHE_SECONDS=300):
        yield
    cache.clear()


def fresh(user: User) -> User:
    """The user as the next request loads it (the per-request memo starts empty)."""
    return User.objects.get(pk=user.pk)


def test_the_second_request_reuses_the_actor_without_queries(world):
    # given the secretary's actor was built once
    first = actor_for(fresh(world.secretary.user))
    # then the next request builds none: only its own user row is read
    user = fresh(world.secretary.user)
    with assert_num_queries(0):
        again = actor_for(user)
    assert again == first and again.cadre is not None and again.cadre.name == world.secretary.name
    # and the layout's name needs no query of its own either
    with assert_num_queries(0):
        assert user.cadre.township.name == world.township.name


def test_a_new_post_shows_on_the_next_request(world):
    assert Role.LEADER not in actor_for(fresh(world.cadre1.user)).roles
    # when cadre1 is made township head
    world.cadre1.post = Post.TOWNSHIP_HEAD
    world.cadre1.save()
    # then the next request knows
    assert Role.LEADER in actor_for(fresh(world.cadre1.user)).roles


def test_heading_a_unit_shows_on_the_next_request_and_losing_it_too(world):
    assert Role.UNIT_HEAD not in actor_for(fresh(world.cadre2.user)).roles
    world.unit.head = world.cadre2
    world.unit.save()
    assert actor_for(fresh(world.cadre2.user)).unit_ids_headed == {world.unit.pk}
    # and the previous head's actor lost the unit
    assert Role.UNIT_HEAD not in actor_for(fresh(world.unit_head.user)).roles


def test_groups_added_and_removed_show_on_the_next_request(world):
    office = Group.objects.get_or_create(name=Role.OFFICE)[0]
    assert Role.OFFICE not in actor_for(fresh(world.cadre1.user)).roles
    world.cadre1.user.groups.add(office)
    assert Role.OFFICE in actor_for(fresh(world.cadre1.user)).roles
    world.cadre1.user.groups.remove(office)
    assert Role.OFFICE not in actor_for(fresh(world.cadre1.user)).roles


def test_a_cadre_record_retired_leaves_no_cadre_behind(world):
    assert actor_for(fresh(world.cadre1.user)).cadre is not None
    world.cadre1.is_active = False
    world.cadre1.save()
    actor = actor_for(fresh(world.cadre1.user))
    assert actor.cadre is None and actor.is_nobody


def test_a_membership_moved_to_another_township_moves_the_scope(world):
    assert actor_for(fresh(world.reporter_user)).township_ids == {world.township.pk}
    membership = world.reporter_user.membership
    membership.township = world.other_township
    membership.save()
    assert actor_for(fresh(world.reporter_user)).township_ids == {world.other_township.pk}


def test_a_log_in_stamping_last_login_keeps_everyone_cached(world):
    actor_for(fresh(world.secretary.user))
    generation = cache.get(GENERATION_KEY)
    from django.contrib.auth.models import update_last_login

    update_last_login(None, fresh(world.cadre1.user))
    assert cache.get(GENERATION_KEY) == generation


def test_writes_behind_the_orms_back_are_forgotten_when_the_writer_says_so(world, django_capture_on_commit_callbacks):
    actor_for(fresh(world.cadre1.user))
    # when a bulk write changes the post (no signals) and its author calls forget_all_actors
    type(world.cadre1).objects.filter(pk=world.cadre1.pk).update(post=Post.PARTY_SECRETARY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        forget_all_actors()
    # then the generation is replaced again when the transaction commits, and the change shows
    assert len(callbacks) == 1
    assert Role.LEADER in actor_for(fresh(world.cadre1.user)).roles


def test_an_entry_of_an_older_generation_is_never_served(world):
    actor_for(fresh(world.cadre1.user))
    cache.set(GENERATION_KEY, "another", None)
    _actor, queries = queries_of(lambda: actor_for(fresh(world.cadre1.user)))
    assert len(queries) > 1  # built again (beyond its user row)


def test_a_lost_generation_is_rebuilt_not_trusted(world):
    actor_for(fresh(world.cadre1.user))
    cache.delete(GENERATION_KEY)
    actor = actor_for(fresh(world.cadre1.user))
    assert actor.roles == {Role.CADRE} and cache.get(GENERATION_KEY) is not None


@override_settings(CACHES={"default": {"BACKEND": "django_redis.cache.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0",
                                       "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2}}})
def test_without_a_cache_every_request_builds_its_own_actor(world):
    # given a cache server that does not answer (nothing listens on port 1)
    from django.core.cache import caches

    caches["default"].close()
    # then the actor is built from the database, correctly, and no error reaches the user
    assert actor_for(fresh(world.secretary.user)).roles == {Role.LEADER, Role.CADRE}
    forget_all_actors()  # and invalidation only logs


def test_the_api_shows_a_new_unit_head_their_units_diaries_at_once(client, world):
    # given cadre2 reads the diary list (only their own diaries) and the actor is cached
    other = f.DiaryFactory(author=world.cadre1, village=world.v1)
    client.force_login(world.cadre2.user)
    assert other.pk not in [row["id"] for row in client.get("/api/v1/diaries/").json()["results"]]
    # when the office makes cadre2 head of cadre1's unit
    world.unit.head = world.cadre2
    world.unit.save()
    # then the very next request lists cadre1's diary
    assert other.pk in [row["id"] for row in client.get("/api/v1/diaries/").json()["results"]]


# --- the scope ids kept with the actor (cadres.scope.scope_ids) ---------------------------------------


def test_a_cached_cadre_reads_their_households_without_scope_queries(world):
    # given cadre1's actor was built once (with its scope ids: assignments, contacts)
    from cadres.scope import assigned_village_ids, households_for, phone_visible_household_ids

    first = actor_for(fresh(world.cadre1.user))
    expected = (assigned_village_ids(first), set(households_for(first).values_list("pk", flat=True)))
    # then the next request works the scope out without reading assignments or contacts again
    actor = actor_for(fresh(world.cadre1.user))
    with assert_num_queries(1):  # the households themselves
        assert (assigned_village_ids(actor), set(households_for(actor).values_list("pk", flat=True))) == expected
    with assert_num_queries(1):
        assert phone_visible_household_ids(actor, [world.h1.pk, world.h2.pk]) == {world.h1.pk}


def test_a_new_contact_shows_on_the_next_request(world):
    from cadres.scope import households_for, phone_visible_household_ids

    before = actor_for(fresh(world.cadre1.user))
    assert world.h3.pk not in set(households_for(before).values_list("pk", flat=True))
    # when the office links h3 to cadre1
    f.ContactFactory(cadre=world.cadre1, household=world.h3)
    # then the next request sees it, and its phone; and so does the same request's actor
    for actor in (actor_for(fresh(world.cadre1.user)), before):
        assert world.h3.pk in set(households_for(actor).values_list("pk", flat=True))
        assert phone_visible_household_ids(actor, [world.h3.pk]) == {world.h3.pk}


def test_a_village_assignment_ended_shows_on_the_next_request(world):
    from cadres.models import VillageAssignment
    from cadres.scope import assigned_village_ids

    assignment = VillageAssignment.objects.filter(cadre=world.cadre1, end__isnull=True).first()
    assert assignment is not None
    assert assignment.village_id in assigned_village_ids(actor_for(fresh(world.cadre1.user)))
    assignment.end = assignment.start
    assignment.save()
    assert assignment.village_id not in assigned_village_ids(actor_for(fresh(world.cadre1.user)))


def test_the_kept_scope_ids_belong_to_their_day(world, monkeypatch):
    # given the actor and its scope ids were kept yesterday
    import datetime as dt

    from django.utils import timezone

    from cadres.models import VillageAssignment
    from cadres.scope import assigned_village_ids

    today = timezone.localdate()
    actor_for(fresh(world.cadre1.user))
    # when an assignment that starts tomorrow is there (no change tomorrow replaces the generation)
    tomorrow = VillageAssignment.objects.create(cadre=world.cadre1, village=world.v3, start=today + dt.timedelta(days=1))
    actor = actor_for(fresh(world.cadre1.user))
    assert tomorrow.village_id not in assigned_village_ids(actor)
    # then on the next day it is part of the scope
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=1))
    assert tomorrow.village_id in assigned_village_ids(actor_for(fresh(world.cadre1.user)))
