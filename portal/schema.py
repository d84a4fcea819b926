"""OpenAPI descriptions of the portal's own authentication classes, and the error answers that
every operation shares (one error body, portal/api_errors.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.BearerTokenAuthentication"
    name = "TokenAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <token> (from POST /api/v1/auth/token/)",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <key> (issued by the party-government office in the admin; read-only, "
            "scoped to one township or the whole county, rate-limited per key)",
        }


ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error has this body: a message a person can act on (in the request's language), "
    "a stable machine-readable code, and the field errors of invalid input.",
    "properties": {
        "detail": {"type": "string", "description": "Message for a person, in the request's language."},
        "code": {
            "type": "string",
            "description": "Stable code: invalid, not_authenticated, authentication_failed, permission_denied, "
            "not_found, throttled, illegal_transition …",
        },
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Field name → list of messages; empty unless the input was invalid.",
        },
    },
    "required": ["detail", "code", "errors"],
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors in `errors`) or an action refused by a business rule.",
    "401": "No credentials, or an unknown, revoked or expired token or API key.",
    "403": "Not allowed (e.g. an unsafe method with a read-only API key).",
    "404": "No such object, or outside the caller's scope.",
    "429": "Too many requests; retry after the number of seconds in the Retry-After header.",
}
_METHODS = ("get", "put", "patch", "post", "delete")


def _error(code: str) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: add the error answers each operation can give, unless it documents its own.

    400 where there is input (a body or query parameters), 401 and 403 where credentials are
    required, 404 where the path names an object, 429 everywhere (every request is throttled).
    """
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method in _METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            codes = ["429"]
            if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
                codes.append("400")
            security = operation.get("security", [])
            if security and {} not in security:
                codes += ["401", "403"]
            if any(p.get("in") == "path" for p in parameters):
                codes.append("404")
            for code in sorted(codes):
                responses.setdefault(code, _error(code))
    return result
