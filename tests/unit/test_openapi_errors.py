"""Every route documents its error answers with the error schema (issue #17: most documented only 200 and 422)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from landbridge.api.app import create_app


def test_every_operation_documents_its_errors_with_the_error_schema() -> None:
    schema = create_app("sqlite:///:memory:").openapi()
    assert "ErrorItem" in schema["components"]["schemas"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            wanted = {"404", "422", "500", "503"}
            if any(p["name"].lower() == "authorization" for p in operation.get("parameters", [])):
                wanted |= {"401", "403", "429"}
            if method in {"post", "put", "patch", "delete"}:
                wanted |= {"400", "409", "412", "413"}
            for code in sorted(wanted):
                content = operation["responses"].get(code, {}).get("content", {})
                if "application/json" not in content:
                    missing.append(f"{method.upper()} {path} {code}")
    assert missing == []
    move = schema["paths"]["/api/v1/yard/moves"]["post"]
    assert move["responses"]["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert any(p["name"] == "If-Match" for p in move["parameters"])
    assert "ETag" in schema["paths"]["/api/v1/containers/{number}"]["get"]["responses"]["200"]["headers"]
    # /dcsa answers DCSA's error body, and says so (Schemathesis found the hub's schema documented there).
    for path, operations in schema["paths"].items():
        if path.startswith("/dcsa/"):
            for operation in operations.values():
                for code in ("401", "404", "422", "503"):
                    documented = operation["responses"][code]["content"]["application/json"]["schema"]
                    assert documented == {"$ref": "#/components/schemas/DcsaError"}, (path, code)


def test_a_wrong_method_names_every_method_of_the_path() -> None:
    with TestClient(create_app("sqlite:///:memory:")) as client:
        response = client.patch("/api/v1/containers")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.json()["detail"][0]["type"] == "method_not_allowed"
        # A literal path beside a templated one names only its own methods (Schemathesis ST205 on
        # /api/v1/work/instructions/generate, which /work/instructions/{instruction_id} also matches).
        generate = client.put("/api/v1/work/instructions/generate")
        assert generate.status_code == 405 and generate.headers["allow"] == "POST"
