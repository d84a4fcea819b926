"""Conventions that hold across the whole API, checked on the generated OpenAPI schema and on the
live endpoints: whatever resources exist when the suite runs are held to them.

ISO 8601 dates with a declared format, one paginated list shape, documented errors, choice
fields with their display label, `updated_since` on every list, reports documented field by
field, API keys accepted everywhere a person's token is, and no 5xx for any GET with a key.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import cache

from portal.apikeys import api_key_create
from tests.helpers import api_client

DATE_NAME = re.compile(r"(^date$|_date$|_on$|^(period_)?(start|end)$|^deadline$)")
DATETIME_NAME = re.compile(r"_at$")
METHODS = ("get", "put", "patch", "post", "delete")


def operations(schema: dict[str, Any]):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def json_200(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation["responses"].get("200", {}).get("content", {})
    body = content.get("application/json")
    return resolve(schema, body["schema"]) if body and "schema" in body else None


def is_enum(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    if "enum" in node:
        return True
    for key in ("allOf", "oneOf", "anyOf"):
        if any(is_enum(schema, resolve(schema, part)) for part in node.get(key, [])):
            return True
    return "$ref" in node and "enum" in resolve(schema, node)


def test_every_path_is_under_v1(schema):
    assert schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_dates_and_times_declare_their_iso_8601_format(schema):
    wrong = []
    for name, component in schema["components"]["schemas"].items():
        for field, node in component.get("properties", {}).items():
            node = resolve(schema, node)
            if node.get("type") == "array":
                continue
            expected = ("date-time",) if DATETIME_NAME.search(field) else ("date", "date-time")
            if (DATETIME_NAME.search(field) or DATE_NAME.search(field)) and node.get("format") not in expected:
                wrong.append(f"{name}.{field}: {node}")
    assert wrong == [], "\n".join(wrong)


def test_every_list_answers_next_previous_and_results(schema):
    lists = [(path, op) for path, method, op in operations(schema) if method == "get" and op["operationId"].endswith(
        "_list")]
    assert lists
    wrong = []
    for path, operation in lists:
        body = json_200(schema, operation)
        if body is None or not {"next", "previous", "results"} <= set(body.get("properties", {})):
            wrong.append(path)
    assert wrong == [], "\n".join(wrong)


def test_every_list_of_a_resource_offers_updated_since(schema):
    missing = [
        path for path, method, op in operations(schema)
        if method == "get" and op["operationId"].endswith("_list")
        and not any(p["name"] == "updated_since" for p in op.get("parameters", []))
    ]
    assert missing == [], "\n".join(missing)


def test_error_answers_are_documented_with_the_one_error_body(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert set(error["required"]) == {"detail", "code", "errors"}
    wrong = []
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"429"}
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if {} not in operation.get("security", [{}]):
            expected |= {"401", "403"}
        missing = expected - set(responses)
        if missing:
            wrong.append(f"{method.upper()} {path}: {sorted(missing)}")
    assert wrong == [], "\n".join(wrong)


def test_api_keys_are_accepted_wherever_a_token_is(schema):
    refused = [
        f"{method.upper()} {path}" for path, method, op in operations(schema)
        if any("TokenAuth" in s for s in op.get("security", [])) and not any("ApiKeyAuth" in s for s in op["security"])
    ]
    assert refused == [], "\n".join(refused)


def test_choice_fields_travel_with_their_display_label(schema):
    missing = []
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            continue  # input sends the slug only
        properties = component.get("properties", {})
        for field, node in properties.items():
            if is_enum(schema, node) and f"{field}_display" not in properties:
                missing.append(f"{name}.{field}")
    assert missing == [], "\n".join(missing)


def test_every_report_documents_its_rows_field_by_field(schema):
    reports = [(path, op) for path, method, op in operations(schema) if method == "get" and "/reports/" in path]
    undocumented = []
    for path, operation in reports:
        body = json_200(schema, operation) or {}
        results = resolve(schema, body.get("properties", {}).get("results", {}))
        row = resolve(schema, results.get("items", {}))
        content = operation["responses"]["200"].get("content", {})
        if not row.get("properties") or "text/csv" not in content or not content["application/json"].get("examples"):
            undocumented.append(path)
    assert undocumented == [], "\n".join(undocumented)


def test_every_get_answers_an_api_key_without_a_server_error(schema, world):
    """Each GET of the schema, called with a township key and guessed parameters: never a 5xx,
    always JSON or a declared file; a path naming an object that does not exist is a 404."""
    cache.clear()
    _key, raw = api_key_create(name="巡检", township=world.township, created_by=None, rate="100000/min")
    api = api_client(api_key=raw)
    guesses = {"start": "2026-01-01", "end": "2026-12-31", "year": "2026", "quarter": "2026Q3", "by": "village",
               "resource": "villages"}
    failures = []
    for path, method, operation in operations(schema):
        if method != "get":
            continue
        params = {p["name"]: guesses[p["name"]] for p in operation.get("parameters", [])
                  if p["in"] == "query" and p.get("required") and p["name"] in guesses}
        url = re.sub(r"\{[^}]+\}", "987654", path)
        response = api.get(url, params)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
        elif "{" in path and response.status_code not in (404, 403):
            failures.append(f"{url}: {response.status_code} for an object that does not exist")
        elif response.status_code == 200 and response["Content-Type"].split(";")[0] not in (
            "application/json", *operation["responses"]["200"].get("content", {}).keys()):
            failures.append(f"{url}: {response['Content-Type']}")



def test_every_get_answer_conforms_to_the_schema(world):
    """schemathesis checks each GET answer (status, media type, body) against the schema, called
    through the WSGI application with a township's API key and the world's objects."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )
    from schemathesis.core.failures import FailureGroup

    cache.clear()
    _key, raw = api_key_create(name="巡检", township=world.township, created_by=None, rate="100000/min")
    app = get_wsgi_application()
    spec = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    ids = {"villages": world.v1.pk, "households": world.h1.pk, "townships": world.township.pk,
           "units": world.unit.pk, "cadres": world.cadre1.pk}
    guesses = {"start": "2026-01-01", "end": "2026-12-31", "year": "2026", "quarter": "2026Q3", "by": "village",
               "resource": "villages"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures = []
    checked = 0
    for result in spec.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        resource = operation.path.split("/")[3]
        path_parameters = {p.name: ids.get(resource, 987654) for p in operation.path_parameters}
        query = {p.name: guesses[p.name] for p in operation.query if p.is_required and p.name in guesses}
        case = operation.Case(path_parameters=path_parameters, query=query,
                              headers={"Authorization": f"Api-Key {raw}"})
        response = case.call(app=app)
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:  # collect every operation's failures, then report them all
            failures += [f"GET {operation.path}: {failure.title}: {failure.message}"[:400] for failure in group.exceptions]
        checked += 1
    assert checked > 20

