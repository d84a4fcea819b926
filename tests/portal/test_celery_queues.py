"""Celery queues by kind (issue #21): a long compile never waits in front of a reminder."""

from __future__ import annotations

import pytest

from portal.celery import app


@pytest.mark.parametrize(("task", "queue"), [
    ("bulletins.notify_published", "interactive"),
    ("portal.ping", "interactive"),
    ("cadres.import_table", "imports"),
    ("bulletins.compile", "compile"),
    ("bulletins.compile_monthly", "compile"),
    ("supervision.disclosure_check", "compile"),
    ("supervision.daily", "compile"),
    ("portal.purge_audit", "exports"),
])
def test_each_task_goes_to_the_queue_of_its_kind(task: str, queue: str) -> None:
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_a_worker_without_q_consumes_every_queue() -> None:
    # `make run` starts one worker without -Q: it must take every kind.
    # The declared queues (app.amqp.queues also holds any queue a worker test routed to since).
    assert {queue.name for queue in app.conf.task_queues} == {"interactive", "imports", "compile", "exports"}


def test_every_registered_task_is_routed_to_a_declared_queue() -> None:
    app.loader.import_default_modules()
    for name in app.tasks:
        if name.startswith("celery."):
            continue
        assert app.amqp.router.route({}, name)["queue"].name in app.amqp.queues, name
