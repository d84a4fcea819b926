"""The shared test helpers (tests/helpers.py) fail with the SQL in their message."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from tests.helpers import api_client, assert_num_queries, assert_same_queries, page_client, queries_of, results


def test_assert_num_queries_passes_on_the_exact_count_and_lists_the_sql_when_it_is_not(db):
    with assert_num_queries(1) as ctx:
        User.objects.count()
    assert len(ctx) == 1

    with pytest.raises(AssertionError) as failure, assert_num_queries(1):
        User.objects.count()
        Group.objects.count()

    message = str(failure.value)
    assert message.startswith("expected 1 queries, 2 were run:\n  1. SELECT COUNT(*)")
    assert '"auth_group"' in message.splitlines()[2]


def test_assert_num_queries_at_most_allows_fewer_but_not_more(db):
    with assert_num_queries(2, at_most=True):
        User.objects.count()

    with pytest.raises(AssertionError, match="expected at most 0 queries, 1 were run"), assert_num_queries(0, at_most=True):
        User.objects.count()


def test_assert_same_queries_compares_before_and_after_the_rows_are_added(db):
    def grow() -> None:
        User.objects.create_user("zhangsan")

    before, after = assert_same_queries(lambda: User.objects.count(), grow, expected=1)
    assert (before, after) == (0, 1)

    def one_query_per_row() -> list[int]:
        return [user.groups.count() for user in User.objects.all()]

    with pytest.raises(AssertionError) as failure:
        assert_same_queries(one_query_per_row, lambda: User.objects.create_user("lisi"))
    assert str(failure.value).startswith("the same number of queries before and after adding rows: 2 before, 3 after")


def test_queries_of_gives_the_result_and_the_sql(db):
    count, queries = queries_of(lambda: User.objects.count())
    assert count == 0
    assert len(queries) == 1


def test_clients_are_logged_in_as_asked(db):
    user = User.objects.create_user("zhangsan")

    assert page_client(user).session["_auth_user_id"] == str(user.pk)
    assert api_client(user, session=True).session["_auth_user_id"] == str(user.pk)
    assert api_client(user).handler._force_user == user
    assert api_client(token="abc")._credentials == {"HTTP_AUTHORIZATION": "Token abc"}
    assert api_client(api_key="abc")._credentials == {"HTTP_AUTHORIZATION": "Api-Key abc"}
    with pytest.raises(TypeError):
        api_client(user, token="abc")


def test_results_checks_the_status(db):
    anonymous = api_client().get("/api/v1/villages/")
    with pytest.raises(AssertionError):
        results(anonymous)
