"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation in /api/schema/ is exercised with generated input as every role (docs/design.md §4:
the office, a township leader, the discipline inspector, a unit head, a township cadre, a village
cadre, the reporter; token auth) and as a reporting system's API key, in a small seeded township:
no answer may be a server error, and every answer must match the schema. New endpoints are picked
up automatically from the schema.

Bounded for CI (the whole file in about three minutes): FUZZ_MAX_EXAMPLES examples per operation
and role (default 4), no deadline. Operations run one after another inside one test per role, and
every failing operation is reported at the end, not only the first.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.models import AccessToken, hash_secret

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance]
# Revoking the calling token would leave the rest of the run unauthenticated; the token life
# cycle has its own tests (tests/portal/test_foundation.py).
SKIPPED_PATHS = {"/api/v1/auth/token/revoke/"}

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported as found, which keeps a failing run inside the budget.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_world(transactional_db, world):  # type: ignore[no-untyped-def]
    """The role world plus one diary and one matter, so detail operations can hit real rows.

    Committed for real (transactional_db): on PostgreSQL one refused statement inside a wrapping
    test transaction would abort it and turn every later request into an error."""
    from supervision.models import Diary, Matter

    w = world
    w.diary = Diary.objects.create(township=w.township, author=w.cadre1, date=dt.date(2026, 3, 2), village=w.v1,
                                   situation="灌溉渠堵塞")
    w.diary.households.add(w.h1)
    w.matter = Matter.objects.create(township=w.township, village=w.v1, household=w.h1, diary=w.diary,
                                     description="灌溉渠堵塞", raised_by=w.cadre1)
    w.known_ids = {
        "townships": w.township.pk, "villages": w.v1.pk, "units": w.unit.pk, "cadres": w.cadre1.pk,
        "households": w.h1.pk, "diaries": w.diary.pk, "matters": w.matter.pk,
    }
    return w


def _token_header(user: Any) -> dict[str, str]:
    raw = AccessToken.generate()
    AccessToken.objects.create(user=user, digest=hash_secret(raw), prefix=raw[:8],
                               expires_at=timezone.now() + timedelta(days=1))
    return {"Authorization": f"Token {raw}"}


def _strategy(operation: Any, known_ids: dict[str, int]) -> Any:
    """Generated cases, half of them aimed at an object that exists (when one is known)."""
    strategy = operation.as_strategy()
    match = re.match(r"^/api/v1/([a-z-]+)/\{id\}/", operation.path)
    if match and match.group(1) in known_ids:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters={"id": known_ids[match.group(1)]}))
    return strategy


def _fuzz(headers: dict[str, str], known_ids: dict[str, int]) -> None:
    from portal.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures: list[str] = []
    durations: list[tuple[float, str]] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED_PATHS:
            continue

        @FUZZ_SETTINGS
        @given(case=_strategy(operation, known_ids))
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.monotonic()
        try:
            run()
        # Schemathesis reports through an exception group; collect every operation's failures.
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}\n{str(exc)[:3000]}")
        durations.append((time.monotonic() - started, operation.label))
        ran += 1
    slowest = ", ".join(f"{label} {seconds:.1f}s" for seconds, label in sorted(durations, reverse=True)[:5])
    print(f"fuzzed {ran} operations in {sum(d for d, _ in durations):.0f}s; slowest: {slowest}")
    assert ran >= 10, f"only {ran} operations found in /api/schema/"
    assert not failures, f"{len(failures)} of {ran} operations failed:\n\n" + "\n\n".join(failures)


# Each role of docs/design.md §4 once, by the person of tests/world.py who holds it.
ROLES = {
    "office": "office",
    "leader": "secretary",
    "inspector": "inspector",
    "unit_head": "unit_head",
    "cadre": "cadre1",
    "village_cadre": "village1",
    "reporter": "reporter",
}


@pytest.mark.slow
@pytest.mark.parametrize("role", list(ROLES))
def test_api_fuzzed_as_each_role(fuzz_world, role):  # type: ignore[no-untyped-def]
    _fuzz(_token_header(fuzz_world.users[ROLES[role]]), fuzz_world.known_ids)


@pytest.mark.slow
def test_api_fuzzed_with_an_api_key(fuzz_world):  # type: ignore[no-untyped-def]
    from portal.apikeys import api_key_create

    # The fuzzing sends far more than a key's usual rate; the throttle is not what is tested here.
    _, raw = api_key_create(name="县作风办数据平台", township=fuzz_world.township, created_by=fuzz_world.office.user,
                            rate="100000/min")
    _fuzz({"Authorization": f"Api-Key {raw}"}, fuzz_world.known_ids)
