"""core.jobs.run_retrying: the body the import and export tasks share (no database needed)."""

from types import SimpleNamespace

import pytest
from django.db import OperationalError

from core.jobs import MAX_RETRIES, backoff, run_retrying


class Retry(Exception):
    pass


def _task(retries: int) -> SimpleNamespace:
    calls: list[dict] = []

    def retry(*, exc: Exception, countdown: int) -> Retry:
        calls.append({"exc": exc, "countdown": countdown})
        return Retry()

    return SimpleNamespace(request=SimpleNamespace(retries=retries), retry=retry, calls=calls)


def _record(log: list[str], name: str):
    return lambda: log.append(name)


def test_the_result_of_a_run_that_works_is_returned_and_nothing_is_marked():
    log: list[str] = []
    assert run_retrying(_task(0), lambda: "ok", failed=_record(log, "failed")) == "ok"
    assert log == []


def test_a_transient_error_is_retried_with_backoff_and_the_job_left_open():
    task, log = _task(2), []
    error = OperationalError("server closed the connection")

    def run() -> str:
        raise error

    with pytest.raises(Retry):
        run_retrying(task, run, failed=_record(log, "failed"), gave_up=_record(log, "gave up"))
    assert task.calls == [{"exc": error, "countdown": backoff(2)}] and log == []


def test_after_the_last_retry_the_job_is_given_up_and_the_error_raised():
    task, log = _task(MAX_RETRIES), []

    def run() -> str:
        raise OperationalError("still down")

    with pytest.raises(OperationalError):
        run_retrying(task, run, failed=_record(log, "failed"), gave_up=_record(log, "gave up"))
    assert log == ["gave up"] and task.calls == []


def test_without_a_give_up_step_the_last_retry_ends_the_job_as_failed():
    task, log = _task(MAX_RETRIES), []

    def run() -> str:
        raise OperationalError("still down")

    with pytest.raises(OperationalError):
        run_retrying(task, run, failed=_record(log, "failed"))
    assert log == ["failed"]


def test_any_other_error_ends_the_job_at_once_and_is_raised():
    task, log = _task(0), []

    def run() -> str:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        run_retrying(task, run, failed=_record(log, "failed"), gave_up=_record(log, "gave up"))
    assert log == ["failed"] and task.calls == []
