"""A read refuses a query parameter it does not take (a typo would answer the unfiltered list): every API
GET route, in the hub's error shape (DCSA routes in DCSA's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from tests.e2e.support import bearer, token

# Which parameters a route takes is the backend's business of no one: SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _concrete(path: str) -> str:
    """The route's path with every parameter filled (an int for an int convertor)."""
    return re.sub(r"\{([^}:]+)(:[^}]+)?\}", lambda m: "1" if m.group(2) == ":int" else "X1", path)


def _reads(routes: list[Any], prefix: str = "") -> list[str]:
    """The path of every GET route, looking inside included routers (FastAPI may keep them lazy)."""
    found = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += _reads(included.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif "GET" in (getattr(route, "methods", None) or ()):
            found.append(prefix + route.path)
    return found


@SQLITE_ONLY
def test_every_api_read_refuses_a_query_parameter_it_does_not_take(database_url: str) -> None:
    admin = bearer(token(database_url, "adm", "admin"))
    app = create_app(database_url)
    reads = [path for path in _reads(app.routes) if path.startswith(("/api/", "/dcsa/"))]
    assert len(reads) > 50
    with TestClient(app) as client:
        for path in reads:
            answer = client.get(_concrete(path), params={"limt": "5"}, headers=admin)
            assert answer.status_code == 422, (path, answer.status_code, answer.text[:300])
            assert "limt" in answer.text, (path, answer.text[:300])
        typo = client.get("/api/v1/containers", params={"limt": "5", "limit": "2", "oops": "1"}, headers=admin)
        assert typo.json()["detail"] == [
            {"loc": ["query", name], "msg": typo.json()["detail"][i]["msg"], "type": "extra_forbidden"}
            for i, name in enumerate(("limt", "oops"))
        ]
        assert "limit" in typo.json()["detail"][0]["msg"]  # what the route takes is named
        assert client.get("/api/v1/containers", params={"limit": "2"}, headers=admin).status_code == 200
        # commands are untouched (they refuse unknown names themselves where they take any)
        dcsa = client.get("/dcsa/tnt/v2/events", params={"limt": "5"}, headers=admin)
        assert dcsa.status_code == 422 and "errors" in dcsa.json()  # DCSA's own error body
