"""core.read_ahead: a streamed export's next chunk read by a thread of its own, which leaves no
thread and no connection behind, however the reading ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from cadres.models import Township
from core.read_ahead import read_ahead
from core.reports import streamed

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the reader thread is PostgreSQL's")


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-ahead"]


def _backends(*, settled_at: int | None = None) -> int:
    """The test database's server processes; with `settled_at`, waits (a second at most) for their
    number to come down to it: a server process ends a moment after its client has closed."""
    deadline = time.monotonic() + 1
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            count = int(cursor.fetchone()[0])
        if settled_at is None or count <= settled_at or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


def _names() -> Iterator[list[str]]:
    for township in streamed(Township.objects.order_by("id").values_list("name", flat=True), chunk_size=1):
        yield [township]


@pytest.fixture
def townships(transactional_db):  # type: ignore[no-untyped-def]
    Township.objects.bulk_create(Township(name=f"镇{n}", code=f"t{n}") for n in range(5))
    return [f"镇{n}" for n in range(5)]


def test_a_thread_reads_ahead_and_ends_with_the_reading(townships):
    before = _backends()
    chunks = read_ahead(_names)
    assert next(chunks) == ["镇0"]
    assert len(_readers()) == 1  # reading in a thread of its own, on a connection of its own
    assert [*chunks] == [[name] for name in townships[1:]]
    assert _readers() == [] and _backends(settled_at=before) == before


def test_a_client_going_away_early_leaves_no_thread_and_no_connection(townships):
    before = _backends()
    chunks = read_ahead(_names, depth=1)
    assert next(chunks) == ["镇0"]
    chunks.close()  # what the server does with the body when the client goes away
    assert _readers() == [] and _backends(settled_at=before) == before


def test_an_error_of_the_reader_is_raised_to_the_caller(townships):
    def failing() -> Iterator[list[str]]:
        yield from _names()
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        list(read_ahead(failing))
    assert _readers() == []


def test_inside_a_transaction_the_caller_reads_itself(db):
    # A thread's connection would not see what this transaction has written.
    with transaction.atomic():
        Township.objects.create(name="新镇", code="new")
        seen: list[str] = []

        def names() -> Iterator[list[str]]:
            seen.append(threading.current_thread().name)
            yield list(Township.objects.filter(code="new").values_list("name", flat=True))

        assert list(read_ahead(names)) == [["新镇"]]
    assert seen == [threading.current_thread().name]
