"""Who may use the interchange routes: the expected roles are written out here, apart from the policy
table, so a route wired to the wrong action or an unintended policy change fails."""

from __future__ import annotations

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.units import PartyRole
from landbridge.services.containers import Actor
from landbridge.services.operations import parties
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import ROLES, bearer, seed, token

STAFF = frozenset(ROLES) - {"shipper", "shipping_line"}
# (method, path, roles allowed); a refused role gets 403, an allowed one anything else
ROUTES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/api/v1/edi", frozenset({"planner", "rail_operator", "shipping_line", "admin"})),
    ("GET", "/api/v1/edi/interchanges", STAFF),
    ("GET", "/api/v1/edi/interchanges/1", STAFF),
    ("GET", "/api/v1/edi/partners", STAFF),
    ("PUT", "/api/v1/edi/partners/NEW", frozenset({"admin"})),
    ("GET", "/api/v1/edi/coarri?visit=V1", frozenset({"planner", "admin"})),
    ("GET", "/api/v1/edi/baplie?visit=V1", frozenset({"planner", "admin"})),
    ("GET", "/api/v1/edi/bayplans/V1", STAFF),
    ("POST", "/api/v1/waybills", frozenset({"planner", "rail_operator", "admin"})),
    ("POST", "/api/v1/waybills/from-train", frozenset({"planner", "rail_operator", "admin"})),
    ("GET", "/api/v1/waybills", STAFF),
    ("GET", "/api/v1/waybills/N1", STAFF),
    ("POST", "/api/v1/waybills/N1/reconsign", frozenset({"planner", "rail_operator", "admin"})),
    ("POST", "/api/v1/waybills/N1/gauge-change", frozenset({"planner", "rail_operator", "admin"})),
    ("POST", "/api/v1/csv/containers", frozenset({"planner", "rail_operator", "admin"})),
    ("GET", "/api/v1/csv/containers", STAFF),
]


def test_every_interchange_route_enforces_its_roles(database_url: str) -> None:
    seed(database_url)
    for code, role in (("P-SHIP", PartyRole.SHIPPER), ("P-LINE", PartyRole.SHIPPING_LINE)):
        parties.create_party(UnitOfWork.for_url(database_url), Actor("t", "admin"), code=code, name=code, role=role)
    party_of = {"shipper": "P-SHIP", "shipping_line": "P-LINE"}
    tokens = {role: bearer(token(database_url, f"u-{role}", role, party_of.get(role))) for role in ROLES}
    with TestClient(create_app(database_url)) as client:
        for method, path, allowed in ROUTES:
            for role, headers in tokens.items():
                answer = client.request(method, path, headers=headers)
                refused = answer.status_code == 403
                assert refused == (role not in allowed), (
                    f"{method} {path} as {role}: {answer.status_code} {answer.text[:200]}"
                )
            assert client.request(method, path).status_code == 401
