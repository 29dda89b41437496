"""DCSA's own Track & Trace 2.2 specification, loaded from the shared folder, as validators for our output.

The specification is ``../shared/standards/dcsa/tnt_v2.2.0.resolved.yaml`` relative to the
repository (DCSA's resolved copy, Apache 2.0). When the folder is absent the tests that need it
skip; they never fail for a missing file. Schemas are validated as OpenAPI 3.0 schemas
(``openapi-schema-validator``), formats included.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker

REPOSITORY = Path(__file__).resolve().parents[2]
SPEC_PATH = REPOSITORY.parent / "shared" / "standards" / "dcsa" / "tnt_v2.2.0.resolved.yaml"
EVENT_SCHEMAS = {"EQUIPMENT": "equipmentEvent", "TRANSPORT": "transportEvent", "SHIPMENT": "shipmentEvent"}


def require_spec() -> dict[str, Any]:
    """The specification as a dict; skips the calling test when the shared folder is absent."""
    if not SPEC_PATH.is_file():
        pytest.skip(f"DCSA specification not found at {SPEC_PATH} (the shared folder is absent)")
    return _load()


@cache
def _load() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def validator(schema: dict[str, Any]) -> OAS30Validator:
    """An OpenAPI 3.0 validator for ``schema`` whose ``#/components/...`` references resolve in the specification."""
    return OAS30Validator({**schema, "components": require_spec()["components"]}, format_checker=oas30_format_checker)


def component(name: str) -> OAS30Validator:
    """A validator for ``#/components/schemas/<name>``."""
    return validator({"$ref": f"#/components/schemas/{name}"})


def feed_item_schema() -> dict[str, Any]:
    """The schema of one item of GET /v2/events (anyOf the three event kinds)."""
    operation = require_spec()["paths"]["/v2/events"]["get"]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    return schema


def callback_body_schema() -> dict[str, Any]:
    """The schema of the body POSTed to a subscriber's callback URL."""
    post = require_spec()["paths"]["/v2/event-subscriptions"]["post"]
    callback = post["callbacks"]["event"]["{$request.body.callbackUrl}"]["post"]
    schema: dict[str, Any] = callback["requestBody"]["content"]["application/json"]["schema"]
    return schema


def _messages(validator_: OAS30Validator, instance: Any) -> Iterator[str]:
    for error in validator_.iter_errors(instance):
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        yield f"{where}: {error.message[:300]}"


def violations(events: list[dict[str, Any]]) -> list[str]:
    """Every way the events break the specification: as a feed item, and as their own kind of event."""
    items = validator(feed_item_schema())
    kinds = {kind: component(name) for kind, name in EVENT_SCHEMAS.items()}
    found = []
    for event in events:
        label = f"{event.get('eventType')} {event.get('eventID')}"
        found += [f"{label} (feed item): {m}" for m in _messages(items, event)]
        kind = kinds.get(str(event.get("eventType")))
        if kind is None:
            found.append(f"{label}: eventType is none of {', '.join(EVENT_SCHEMAS)}")
            continue
        found += [f"{label}: {m}" for m in _messages(kind, event)]
    return found


def body_violations(schema_name: str, body: Any) -> list[str]:
    """How a body breaks ``#/components/schemas/<schema_name>``."""
    return list(_messages(component(schema_name), body))


def assert_valid_if_spec_present(events: list[dict[str, Any]]) -> None:
    """For tests about something else: check the events against the specification when it is there."""
    if SPEC_PATH.is_file():
        assert violations(events) == []
