"""Typed boundaries: plan bodies are parsed by models that name the field, and the OpenAPI shows schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from landbridge.api.app import create_app
from landbridge.domain.errors import RuleViolation
from landbridge.services.planning_live.plans import BerthPlan, TrainPlan, parse_plan

BERTH_PLAN: dict[str, Any] = {
    "kind": "berth",
    "reference_time": "2026-12-01T00:00:00Z",
    "assignments": [{"vessel": "V1", "berth": "30", "etb": "2026-12-01T03:00:00+00:00", "moves": 12}],
    "objective": 3,
    "status": "optimal",
}


def test_a_berth_plan_is_parsed_and_keeps_what_it_does_not_name() -> None:
    plan = parse_plan(BerthPlan, BERTH_PLAN)
    assert plan.assignments[0].etb.isoformat() == "2026-12-01T03:00:00+00:00"
    assert plan.reference_time.utcoffset() is not None
    assert plan.model_dump()["status"] == "optimal" and plan.assignments[0].model_dump()["moves"] == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "train"}, "plan.kind"),
        ({"assignments": []}, "plan.assignments"),
        ({"assignments": [{"vessel": "V1", "berth": "30", "etb": 1764547200}]}, "plan.assignments[0].etb"),
        ({"assignments": [{"vessel": "V1", "berth": "30", "etb": "soon"}]}, "plan.assignments[0].etb"),
        ({"assignments": [{"vessel": 7, "berth": "30", "etb": "2026-12-01T03:00Z"}]}, "plan.assignments[0].vessel"),
        ({"reference_time": None}, "plan.reference_time"),
    ],
)
def test_a_malformed_berth_plan_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_plan(BerthPlan, {**BERTH_PLAN, **change})
    assert refused.value.field == field


def test_a_train_plan_without_its_train_names_the_field() -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_plan(TrainPlan, {"kind": "train", "container_numbers": [], "wagons": []})
    assert refused.value.field == "plan.train_reference"


def test_the_openapi_shows_real_schemas_for_master_data_health_and_plans(tmp_path: Path) -> None:
    spec = create_app(f"sqlite:///{tmp_path / 'openapi.db'}").openapi()
    paths = spec["paths"]

    def ok_schema(path: str, method: str = "get") -> dict[str, Any]:
        schema: dict[str, Any] = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        return schema

    assert ok_schema("/api/v1/berths")["items"]["$ref"].endswith("/BerthOut")
    assert ok_schema("/api/v1/silos")["items"]["$ref"].endswith("/SiloOut")
    assert ok_schema("/api/health")["$ref"].endswith("/HealthOut")
    assert {"$ref": "#/components/schemas/TrainPlanOut"} in ok_schema("/api/v1/plans/{kind}", "post")["anyOf"]
    body = paths["/api/v1/plans/{kind}/apply"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert [option["title"] for option in body["oneOf"]] == ["BerthPlan", "TrainPlan"]


def _untyped(schema: dict[str, Any]) -> bool:
    text = str(schema)
    return "$ref" not in text


def test_every_api_route_documents_its_answer_with_a_model(tmp_path: Path) -> None:
    """A bare ``dict[str, Any]`` answer shows nothing in /docs; every /api route names its model.

    The DCSA routes answer in the standard's own shapes and are its owner's to type.
    """
    spec = create_app(f"sqlite:///{tmp_path / 'openapi.db'}").openapi()
    untyped = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            answers = [code for code in operation["responses"] if code.startswith("2") and code != "204"]
            for code in answers:
                content = operation["responses"][code].get("content", {})
                if content and "application/json" not in content:
                    continue  # a file (CSV, PDF, XLSX) or EDIFACT text documents its media type, not a model
                schema = content.get("application/json", {}).get("schema", {})
                if _untyped(schema):
                    untyped.append(f"{method.upper()} {path}")
    assert untyped == []
