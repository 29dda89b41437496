"""Every API route documents the errors it can answer, with the one error schema — set in one place.

``document_error_responses(app)`` wraps the app's OpenAPI generation, so a route added later by
anyone is covered without touching it: every operation may answer 404, 422, 500 and 503 (the
database); one that takes a bearer token also 401, 403 and 429; a command also 400 (a body that is
not text), 409, 412 (a stale ``If-Match``) and 413 (a body too large). A route's own description of
a code is kept. Object reads that carry an ``ETag`` say so. Under ``/dcsa`` the schema is DCSA's
error body, which those routes answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from fastapi import FastAPI

from landbridge.api.errors import ErrorBody

_DESCRIPTIONS = {
    "400": "The body could not be read as JSON text at all (not UTF-8, UTF-16 or UTF-32)",
    "401": "No token, or an unknown, expired or revoked one (`WWW-Authenticate: Bearer`)",
    "403": "The caller's role may not do this",
    "404": "No such object, or not one the caller may see",
    "409": "The command clashes with the current state (slot taken, already exists, concurrent change)",
    "412": "`If-Match` names an entity tag the object no longer has: read it again",
    "413": "The JSON body is larger than the API accepts",
    "422": "A field is missing, malformed or breaks a rule: `loc` names it, `msg` says why",
    "429": "Too many requests, or too many wrong tokens from this address: wait `Retry-After` seconds",
    "500": "An unexpected error; the message carries the reference of the log entry",
    "503": "The database is not reachable: nothing was changed, retry after `Retry-After` seconds",
}
_EVERY_OPERATION = ("404", "422", "500", "503")
_AUTHENTICATED = ("401", "403", "429")
_COMMANDS = ("400", "409", "412", "413")
_UNSAFE = frozenset({"post", "put", "patch", "delete"})
_ETAG_READS = frozenset(
    {"/api/v1/containers/{number}", "/api/v1/vessel-visits/{reference}", "/api/v1/train-visits/{reference}"}
)
_REF = "#/components/schemas/ErrorBody"
# Under /dcsa every error is DCSA's error body (api/routers/dcsa.DcsaResponses rewrites the hub's).
_DCSA_PREFIX = "/dcsa/"
_DCSA_REF = "#/components/schemas/DcsaError"


def _takes_token(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "header" and str(p.get("name", "")).lower() == "authorization"
        for p in operation.get("parameters", ())
    )


def _document(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}").items():
        if name == "$defs":
            components.update(definition)
    components["ErrorBody"] = {k: v for k, v in ErrorBody.model_json_schema().items() if k != "$defs"}
    components["ErrorBody"] = _rewrite_refs(components["ErrorBody"])
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", ()):
                parameter["schema"] = _without_null(parameter.get("schema", {}))
            codes = list(_EVERY_OPERATION)
            if _takes_token(operation):
                codes += _AUTHENTICATED
            if method in _UNSAFE:
                codes += _COMMANDS
            responses = operation.setdefault("responses", {})
            ref = _DCSA_REF if path.startswith(_DCSA_PREFIX) and "DcsaError" in components else _REF
            for code in codes:
                existing = responses.get(code)
                body = {"application/json": {"schema": {"$ref": ref}}}
                if existing is None:
                    responses[code] = {"description": _DESCRIPTIONS[code], "content": body}
                elif code == "422" or not existing.get("content"):
                    existing["content"] = body
            if method == "get" and path in _ETAG_READS and "200" in responses:
                responses["200"].setdefault("headers", {})["ETag"] = {
                    "description": "The object's entity tag: send it back in `If-Match` with a command",
                    "schema": {"type": "string"},
                }
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A header, query or path parameter is a text or absent, never JSON null: drop ``null`` from ``anyOf``.

    FastAPI documents ``str | None`` as ``anyOf: [string, null]``; a client told null is allowed
    sends the text "null", which is not what the parameter means.
    """
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [option for option in options if option.get("type") != "null"]
    if len(kept) != 1 or len(kept) == len(options):
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**kept[0], **rest}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def document_error_responses(app: FastAPI) -> None:
    """Make the app's OpenAPI document list every operation's error answers with the error schema."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@cache
def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$")


def documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for a concrete path (for the ``Allow`` of a 405).

    When several templates match, the most literal wins (fewest parameters), as it does in the
    router: ``/work/instructions/generate`` is that path, not ``/work/instructions/{instruction_id}``.
    """
    matches: dict[int, set[str]] = {}
    for template, operations in app.openapi().get("paths", {}).items():
        if _template(template).match(path):
            found = matches.setdefault(template.count("{"), set())
            found |= {m.upper() for m in operations if m in {"get", "post", "put", "patch", "delete"}}
    return sorted(matches[min(matches)]) if matches else []
