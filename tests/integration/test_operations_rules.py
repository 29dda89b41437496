"""Operating rules over HTTP on both backends: each refusal names its field and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from landbridge.domain.events import utc_now
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import Hub, container_number, uic_wagon, wagon_1520

Client = tuple[TestClient, dict[str, str], str]


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Client:
    """A seeded hub, an admin token, a berthed vessel V1 and two shipper parties."""
    made = make_hub(users=("admin",), as_user="admin")
    client = made.client
    for code in ("ACME", "BETA"):
        post(client, "/api/v1/parties", {"code": code, "name": code, "role": "shipper"}, 201)
    post(client, "/api/v1/vessel-visits", {"reference": "V1", "vessel_name": "Rule", "eta": "2026-11-28T00:00Z"}, 201)
    post(client, "/api/v1/vessel-visits/V1/berth", {"berth_code": "30", "etb": "2026-11-28T01:00Z"})
    return client, made.headers("admin"), made.url


def post(
    client: TestClient, path: str, body: dict[str, Any], status: int = 200, method: str = "post", **headers: str
) -> Any:
    response = client.request(method.upper(), path, json=body, headers=headers or None)
    assert response.status_code == status, response.text
    return response.json()


def refused(client: TestClient, path: str, body: dict[str, Any], status: int, field: str) -> str:
    """Post, expect a refusal naming ``field``, and check nothing was written."""
    url = client.app.state.database_url  # type: ignore[attr-defined]
    before = _event_count(url)
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == field, detail
    assert _event_count(url) == before
    return str(detail["msg"])


def _event_count(url: str) -> int:
    with UnitOfWork.for_url(url) as uow:
        return uow.events.count()


def box(client: TestClient, serial: int, iso: str = "22G1", laden: bool = False, mass: int | None = None) -> str:
    """Register a box and declare it on V1's discharge list (a ship discharges only what it declared)."""
    number = container_number(serial)
    body: dict[str, Any] = {"number": number, "iso_type": iso, "load_state": "full" if laden else "empty"}
    if mass is not None:
        body["gross_mass_kg"] = mass
    post(client, "/api/v1/containers", body, 201)
    listed(client, "/api/v1/vessel-visits/V1/discharge-list", [number])
    return number


def listed(client: TestClient, path: str, numbers: list[str]) -> None:
    """Add boxes to a visit's list (discharge list, load list, a train's planned boxes)."""
    post(client, f"{path}/add", {"entries": [{"container": n} for n in numbers], "reason": "declared for the test"})


def test_yard_stacking_rules(hub: Client) -> None:
    client, _, _ = hub
    twenty, forty, reefer = box(client, 1), box(client, 2, "42G1"), box(client, 3, "22R1", laden=True, mass=20_000)
    assert "even bay" in refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": forty, "slot": "A-03-01-1"}, 422, "slot"
    )
    assert "stand on" in refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": twenty, "slot": "A-01-01-2"}, 422, "slot"
    )
    assert "reefer plug" in refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": reefer, "slot": "A-01-01-1"}, 422, "slot"
    )
    refused(client, "/api/v1/vessel-visits/V1/discharge", {"container": twenty, "slot": "A-99-01-1"}, 422, "slot")
    refused(client, "/api/v1/vessel-visits/V1/discharge", {"container": container_number(99)}, 404, "container")
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": forty, "slot": "A-02-01-1"})
    assert "cannot stand on" in refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": twenty, "slot": "A-01-01-2"}, 422, "slot"
    )
    assert "occupied" in refused(
        client, "/api/v1/vessel-visits/V1/discharge", {"container": twenty, "slot": "A-01-01-1"}, 409, "slot"
    )
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": reefer})  # proposed into the reefer block
    assert client.get(f"/api/v1/containers/{reefer}").json()["position"]["reference"].startswith("R-")
    # Empties stack five high, but not on or under a laden box beyond three.
    empties = [box(client, 10 + i) for i in range(6)]
    for tier, number in enumerate(empties[:5], start=1):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": f"B-01-01-{tier}"})
    refused(client, "/api/v1/vessel-visits/V1/discharge", {"container": empties[5], "slot": "B-01-01-6"}, 422, "slot")
    laden = box(client, 20, laden=True, mass=25_000)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": laden, "slot": "B-02-01-1"})
    post(client, "/api/v1/yard/moves", {"container": empties[4], "slot": "B-02-01-2"})
    post(client, "/api/v1/yard/moves", {"container": empties[3], "slot": "B-02-01-3"})
    assert "stack height 3" in refused(
        client, "/api/v1/yard/moves", {"container": empties[2], "slot": "B-02-01-4"}, 422, "slot"
    )
    assert "on top" in refused(
        client, "/api/v1/yard/moves", {"container": empties[0], "slot": "C-01-01-1"}, 422, "container"
    )
    stale = refused(
        client,
        "/api/v1/yard/moves",
        {"container": empties[3], "slot": "C-01-01-1", "expected_version": 1},
        409,
        "expected_version",
    )
    assert "version" in stale
    assert client.get("/api/v1/yard/proposal", params={"container": twenty}).json()["slot"] == "A-01-02-1"


def test_dangerous_goods_gate_and_cfs(hub: Client) -> None:
    client, _, _ = hub
    consignment = post(
        client,
        "/api/v1/consignments",
        {
            "booking_reference": "DG1",
            "shipper_code": "ACME",
            "origin": "CNLYG",
            "destination": "KZALA",
            "goods": [
                {
                    "hs_code": "271012",
                    "description": "petrol",
                    "packages": 20,
                    "mass_kg": 15_000,
                    "imdg_class": "3",
                    "un_number": "1203",
                    "packing_group": "II",
                },
                {
                    "hs_code": "310230",
                    "description": "ammonium nitrate",
                    "packages": 40,
                    "mass_kg": 18_000,
                    "imdg_class": "5.1",
                    "un_number": "1942",
                    "packing_group": "III",
                },
            ],
        },
        201,
    )
    refused(
        client,
        "/api/v1/consignments",
        {
            "booking_reference": "DG2",
            "shipper_code": "ACME",
            "origin": "CNLYG",
            "destination": "KZALA",
            "goods": [
                {
                    "hs_code": "271012",
                    "description": "x",
                    "packages": 1,
                    "mass_kg": 1,
                    "imdg_class": "3",
                    "un_number": "12",
                }
            ],
        },
        422,
        "goods[0].un_number",
    )
    flammable, oxidiser = box(client, 30), box(client, 31)
    for number in (flammable, oxidiser):  # an export drop-off needs its booking
        post(client, "/api/v1/consignments/DG1/containers", {"container": number})
    walk_in = {"reference": "TR1", "plate": "KZ 1", "drop_off": [flammable, oxidiser]}
    assert "no appointment" in refused(client, "/api/v1/gate/trucks", walk_in, 422, "appointment_reference")
    post(client, "/api/v1/gate/trucks", {**walk_in, "override_reason": "DG cargo, escorted walk-in"}, 201)
    refused(client, "/api/v1/gate/trucks/TR1/out", {}, 422, "drop_off")
    for number, line in ((flammable, consignment["goods"][0]), (oxidiser, consignment["goods"][1])):
        post(client, "/api/v1/cfs/receive", {"container": number})
        post(client, "/api/v1/cfs/stuff", {"container": number, "goods_line_id": line["id"]})
    assert client.get(f"/api/v1/containers/{flammable}").json()["load_state"] == "full"
    assert "dangerous goods" in refused(
        client, "/api/v1/yard/moves", {"container": flammable, "slot": "A-01-01-1"}, 422, "slot"
    )
    post(client, "/api/v1/yard/moves", {"container": flammable, "slot": "E-01-01-1"})
    assert "class 5.1" in refused(
        client, "/api/v1/yard/moves", {"container": oxidiser, "slot": "E-02-01-1"}, 422, "slot"
    )
    post(client, "/api/v1/yard/moves", {"container": oxidiser, "slot": "E-03-01-1"})
    post(client, "/api/v1/gate/trucks/TR1/out", {})
    # A box stuffed and stripped again is empty; a truck picks a yard box up and leaves with it.
    post(client, "/api/v1/cfs/receive", {"container": oxidiser})
    stripped = post(
        client, "/api/v1/cfs/strip", {"container": oxidiser, "goods_line_id": consignment["goods"][1]["id"]}
    )
    assert stripped["load_state"] == "empty"
    post(client, "/api/v1/yard/moves", {"container": oxidiser, "slot": "A-01-01-1"})
    release = {"valid_from": "2026-01-01T00:00Z", "valid_to": "2030-01-01T00:00Z", "pin": "4711"}
    post(client, "/api/v1/delivery-orders", {"reference": "DO1", "containers": [oxidiser], **release}, 201)
    pick = {"reference": "TR2", "plate": "KZ 2", "pick_up": [oxidiser], "override_reason": "walk-in"}
    post(client, "/api/v1/gate/trucks", {**pick, "delivery_order": "DO1", "pin": "4711"}, 201)
    out = post(client, "/api/v1/gate/trucks/TR2/out", {})
    assert out["picked_up"] == [oxidiser]
    assert client.get(f"/api/v1/containers/{oxidiser}").json()["position"]["kind"] == "delivered"


def test_gate_window_capacity(hub: Client) -> None:
    client, _, url = hub
    from sqlalchemy import update

    from landbridge.store import tables

    hour = utc_now().replace(minute=0, second=0, microsecond=0).isoformat()  # the current window
    post(
        client,
        "/api/v1/consignments",
        {"booking_reference": "B1", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"},
        201,
    )
    drop = {"hour_start": hour, "kind": "drop_off", "booking_reference": "B1"}
    post(client, "/api/v1/gate/appointments", {"reference": "A1", "plate": "P1", **drop}, 201)
    with UnitOfWork.for_url(url) as uow:  # shrink the window to one truck
        uow.session.execute(update(tables.GateHourRow).values(capacity=1))
        uow.commit()
    assert "full" in refused(
        client,
        "/api/v1/gate/appointments",
        {"reference": "A2", "plate": "P2", **drop},
        409,
        "hour_start",
    )
    refused(
        client,
        "/api/v1/gate/appointments",
        {"reference": "A3", "plate": "P3", **drop, "hour_start": hour.replace(":00:00", ":30:00")},
        422,
        "hour_start",
    )
    window = client.get("/api/v1/gate/appointments", params={"hour_start": hour}).json()
    assert (window["capacity"], window["booked"], window["free"]) == (1, 1, 0)
    assert [a["reference"] for a in window["appointments"]] == ["A1"]
    post(client, "/api/v1/gate/trucks", {"reference": "TR9", "plate": "P1", "appointment_reference": "A1"}, 201)
    refused(
        client,
        "/api/v1/gate/trucks",
        {"reference": "TR10", "plate": "P1", "appointment_reference": "A1"},
        409,
        "appointment_reference",
    )


def test_rail_limits(hub: Client) -> None:
    client, _, _ = hub
    wagons = [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, 3)]
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T2",
        "wagons": wagons,
    }
    refused(
        client,
        "/api/v1/train-visits",
        {**train, "wagons": [{"number": wagon_1520(1), "wagon_type": "cn_flat_40ft"}]},
        422,
        "wagons[0].number",
    )
    refused(
        client,
        "/api/v1/train-visits",
        {**train, "wagons": [{"number": "313300000000", "wagon_type": "cn_flat_40ft"}]},
        422,
        "wagons[0].number",
    )
    refused(
        client,
        "/api/v1/train-visits",
        {**train, "wagons": [{"number": uic_wagon(1), "wagon_type": "kz_flat_80ft"}]},
        422,
        "wagons[0].wagon_type",
    )
    long_train = [{"number": wagon_1520(i), "wagon_type": "kz_flat_80ft"} for i in range(1, 51)]
    broad = {**train, "gauge_mm": 1520, "train_type_code": "kz_1520", "track_code": None, "wagons": long_train}
    assert "1280.0 m exceeds 1050" in refused(client, "/api/v1/train-visits", broad, 422, "wagons")
    post(client, "/api/v1/train-visits", train, 201)
    refused(client, "/api/v1/train-visits", {**train, "reference": "T2"}, 409, "track_code")
    heavy = [box(client, 40 + i, laden=True, mass=28_000) for i in range(2)]
    forty = box(client, 45, "45G1", laden=True, mass=20_000)
    for i, number in enumerate([*heavy, forty]):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": f"C-{2 * i + 2:02d}-01-1"})
    listed(client, "/api/v1/train-visits/T1/planned-boxes", [*heavy, forty])
    post(client, "/api/v1/train-visits/T1/load", {"container": heavy[0], "wagon_number": uic_wagon(1)})
    assert "payload" in refused(
        client,
        "/api/v1/train-visits/T1/load",
        {"container": heavy[1], "wagon_number": uic_wagon(1)},
        422,
        "wagon_number",
    )
    assert "taken" in refused(
        client, "/api/v1/train-visits/T1/load", {"container": forty, "wagon_number": uic_wagon(1)}, 409, "slot"
    )
    refused(
        client,
        "/api/v1/train-visits/T1/load",
        {"container": forty, "wagon_number": uic_wagon(2), "slot": 2},
        422,
        "slot",
    )
    refused(
        client, "/api/v1/train-visits/T1/load", {"container": forty, "wagon_number": uic_wagon(9)}, 404, "wagon_number"
    )
    post(client, "/api/v1/train-visits/T1/load", {"container": forty, "wagon_number": uic_wagon(2)})
    unloaded = post(client, "/api/v1/train-visits/T1/unload", {"container": forty, "slot": "D-02-01-1"})
    assert unloaded["position"] == {"kind": "yard", "reference": "D-02-01-1"}
    refused(client, "/api/v1/train-visits/T1/border", {}, 422, "status")


def hoppers(mass_kg: int, first: int = 3, per_wagon_kg: int = 70_000) -> list[dict[str, Any]]:
    """Hopper wagons of one gauge bringing ``mass_kg`` between them (at most ``per_wagon_kg`` each)."""
    count = -(-mass_kg // per_wagon_kg)
    masses = [mass_kg // count] * count
    masses[-1] += mass_kg - sum(masses)
    return [{"number": wagon_1520(first + i), "mass_kg": m} for i, m in enumerate(masses)]


def grain_lot(reference: str, mass_kg: int, **fields: Any) -> dict[str, Any]:
    """A hopper-wagon receipt of ACME wheat into SB01."""
    return {
        "reference": reference,
        "owner_code": "ACME",
        "crop": "wheat",
        "grain_class": "3",
        "mass_kg": mass_kg,
        "moisture_pct": 13,
        "silo_code": "SB01",
        "source_kind": "hopper_wagons",
        "wagons": hoppers(mass_kg),
        **fields,
    }


def test_grain_rules(hub: Client) -> None:
    client, _, _ = hub
    post(client, "/api/v1/grain/lots", grain_lot("G1", 200_000), 201)
    assert "mixing" in refused(client, "/api/v1/grain/lots", grain_lot("G2", 1000, owner_code="BETA"), 422, "silo_code")
    assert "mixing" in refused(client, "/api/v1/grain/lots", grain_lot("G2", 1000, crop="barley"), 422, "silo_code")
    refused(client, "/api/v1/grain/lots", grain_lot("G2", 175_001), 422, "mass_kg")
    # The receipt lists each wagon with its mass, all of one gauge, adding up to the lot.
    bad_number = grain_lot("G2", 1000, wagons=[{"number": "12345", "mass_kg": 1000}])
    refused(client, "/api/v1/grain/lots", bad_number, 422, "wagons[0].number")
    mixed = grain_lot(
        "G2", 2000, wagons=[{"number": wagon_1520(1), "mass_kg": 1000}, {"number": uic_wagon(1), "mass_kg": 1000}]
    )
    assert "1435 mm wagon" in refused(client, "/api/v1/grain/lots", mixed, 422, "wagons[1].number")
    short = grain_lot("G2", 2000, wagons=[{"number": wagon_1520(1), "mass_kg": 1500}])
    assert "1,500 kg in all" in refused(client, "/api/v1/grain/lots", short, 422, "mass_kg")
    no_wagons = grain_lot("G2", 1000, wagons=[])
    refused(client, "/api/v1/grain/lots", no_wagons, 422, "wagons")
    post(client, "/api/v1/grain/lots", grain_lot("G2", 175_000), 201)  # exactly full
    bulk = box(client, 50, "22B0")
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": bulk, "slot": "D-01-01-1"})
    stack = [box(client, 51 + i) for i in range(4)]
    for tier, number in enumerate(stack, start=1):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": f"D-03-01-{tier}"})
    assert "stack 4 high" in refused(
        client,
        "/api/v1/grain/lots/G1/containers",
        {"containers": [{"container": stack[1], "mass_kg": 20_000}]},
        422,
        "containers[0].container",
    )
    filled = post(client, "/api/v1/grain/lots/G1/containers", {"containers": [{"container": bulk, "mass_kg": 26_000}]})
    assert filled["mass_kg"] == 174_000
    # Grain loads only at a berth with grain gear: V1 is at container berth 30.
    assert "grain gear" in refused(
        client, "/api/v1/grain/lots/G1/ship", {"mass_kg": 1000, "vessel_visit": "V1"}, 422, "vessel_visit"
    )
    post(client, "/api/v1/vessel-visits", {"reference": "VB", "vessel_name": "Bulk", "eta": "2026-11-28T00:00Z"}, 201)
    post(client, "/api/v1/vessel-visits/VB/berth", {"berth_code": "32", "etb": "2026-11-28T01:00Z"})
    refused(client, "/api/v1/grain/lots/G1/ship", {"mass_kg": 174_001, "vessel_visit": "VB"}, 422, "mass_kg")
    post(client, "/api/v1/grain/lots/G1/ship", {"mass_kg": 74_000, "vessel_visit": "VB"})
    assert client.get("/api/v1/grain/balance").json()["ACME"] == {
        "received_kg": 375_000,
        "shipped_kg": 100_000,
        "in_stock_kg": 275_000,
    }


def test_a_grain_train_of_many_hopper_wagons_is_received(hub: Client) -> None:
    # A block train brings grain in dozens of hoppers; the movement must keep every wagon number
    # (once a 64-character column: more than four 1520 numbers gave a 500 on PostgreSQL).
    client, _, database_url = hub
    lot = grain_lot("G-TRAIN", 300_000, wagons=hoppers(300_000, first=10, per_wagon_kg=10_000))
    wagons = [w["number"] for w in lot["wagons"]]
    assert len(wagons) == 30
    post(client, "/api/v1/grain/lots", lot, 201)
    with UnitOfWork.for_url(database_url) as uow:
        counterparts = list(
            uow.session.scalars(
                select(tables.GrainMovementRow.counterpart).where(tables.GrainMovementRow.kind == "received")
            )
        )
    assert len(counterparts) == 1 and counterparts[0] is not None
    assert all(wagon in counterparts[0] for wagon in wagons)


def test_idempotency_key_replays_and_writes_nothing(hub: Client) -> None:
    client, _, url = hub
    number = box(client, 60)
    body = {"container": number, "slot": "A-05-01-1"}
    first = client.post("/api/v1/vessel-visits/V1/discharge", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200
    events = _event_count(url)
    again = client.post("/api/v1/vessel-visits/V1/discharge", json=body, headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["Idempotent-Replayed"] == "true" and _event_count(url) == events
    other = client.post("/api/v1/yard/moves", json=body, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    created = client.post(
        "/api/v1/containers",
        json={"number": container_number(61), "iso_type": "22G1"},
        headers={"Idempotency-Key": "k-2"},
    )
    replayed = client.post(
        "/api/v1/containers",
        json={"number": container_number(61), "iso_type": "22G1"},
        headers={"Idempotency-Key": "k-2"},
    )
    assert (created.status_code, replayed.status_code) == (201, 201) and replayed.json() == created.json()
    malformed = client.post("/api/v1/yard/moves", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422 and _event_count(url) == events + 1
