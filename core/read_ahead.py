"""Reading the next chunk of a streamed export while the caller writes the current one (issue #17).

A streamed export alternates between waiting for the database (the next fetch of its server-side
cursor, the chunk's extra queries) and writing rows in Python; done in turn, the download takes
the sum of the two. `read_ahead` runs the reading in a thread of its own, with its own database
connection and transaction, a few chunks ahead of the writer (psycopg releases the GIL while it
waits for the server), so the download takes about the longer of the two:

    for chunk in read_ahead(lambda: chunks_of(qs)):
        yield from chunk

The thread reads where the caller would: it runs in a copy of the caller's context, so the
enclosing `replica_reads()` (core.replica) and the active language carry over. It stops, closes
its cursor and its connection, when the reading is done, when it fails (the error is raised in
the caller) and when the caller stops early (a client that goes away closes the body).

A separate connection cannot see what the caller's open transaction has written (a test's data,
a job writing in a transaction), and SQLite has no server-side cursor to wait for: there the
chunks are read in the caller's thread, as before.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connections

from core.replica import current_read_alias

T = TypeVar("T")

DEPTH = 2  # chunks read ahead of the writer: memory holds at most DEPTH + 2 chunks
_POLL = 0.05  # seconds a blocked hand-over waits before it looks again whether the reader should stop


class _Done:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(produce: Callable[[], Iterator[T]], *, depth: int = DEPTH) -> Iterator[T]:
    """The items of `produce()`, read by a thread `depth` items ahead of the caller (see above)."""
    if not _may_read_elsewhere():
        yield from produce()
        return
    hand_over: queue.Queue[T | _Done | _Failed] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    context = contextvars.copy_context()
    reader = threading.Thread(target=context.run, args=(_read, produce, hand_over, stop), name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = hand_over.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        # Done, failed or closed early: the reader stops at its next hand-over (or after the fetch
        # it is waiting for), and has closed its connection once joined.
        stop.set()
        reader.join()


def _may_read_elsewhere() -> bool:
    if connections[current_read_alias()].vendor != "postgresql":
        return False
    return not any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def _read(produce: Callable[[], Iterator[T]], hand_over: queue.Queue[T | _Done | _Failed], stop: threading.Event) -> None:
    def offer(item: T | _Done | _Failed) -> bool:
        while not stop.is_set():
            try:
                hand_over.put(item, timeout=_POLL)
            except queue.Full:
                continue
            return True
        return False

    try:
        items = produce()
        try:
            for item in items:
                if not offer(item):
                    return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator: ends its transaction and closes its cursor now, in this thread
        offer(_Done())
    except BaseException as error:  # handed to the caller, which raises it
        offer(_Failed(error))
    finally:
        connections.close_all()  # this thread's connections only
