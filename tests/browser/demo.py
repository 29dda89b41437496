"""A small, fixed day at the base for the dashboard tests: boxes in the yard, a train loading, one on
the corridor and one at Khorgos, a ship at berth, grain in the silos, a customs hold, two users.

Rows go straight into the tables (the dashboard only reads them); the numbers are chosen so each
screen has something to show and the tests can name what they expect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from stdnum import iso6346

from landbridge.scenarios import load_scenario
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.database import session_factory
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.auth import token_digest

OPERATOR_TOKEN = "operator-demo-token"
SHIPPER_TOKEN = "shipper-demo-token"
OTHER_SHIPPER_TOKEN = "other-shipper-demo-token"


def box(owner: str, serial: int) -> str:
    """A valid ISO 6346 number."""
    base = f"{owner}U{serial:06d}"
    return base + iso6346.calc_check_digit(base)


@dataclass(frozen=True)
class Demo:
    """What the tests look for."""

    shipper_box: str  # belongs to ALMATRADE (the shipper user), on the loading train
    transit_box: str  # ALMATRADE's box on the train to Duisburg, six days out
    other_box: str  # belongs to JIANGSUEXP, in the yard
    held_box: str
    yard_boxes: int
    yard_positions: int  # 20 ft positions × tiers the boxes fill: every demo box is 40 or 45 ft, so two each
    stack: tuple[str, int, int, int]  # block, bay, row, tiers
    loading_train: str
    overweight_wagon: str
    transit_train: str
    border_train: str
    grain_stock_kg: int


def seed_demo(database_url: str, now: datetime | None = None) -> Demo:
    """Seed the scenario, then the demo day; returns the facts the tests check."""
    now = now or datetime.now(UTC)
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    rows: list[tables.Base] = []
    add = rows.append

    def event(
        kind: str,
        subject_type: str,
        subject: str,
        at: datetime,
        location: str | None = None,
        after: dict[str, object] | None = None,
    ) -> None:
        add(
            tables.EventRow(
                event_type=kind,
                subject_type=subject_type,
                subject_id=subject,
                actor="demo",
                role="operator",
                occurred_at=at,
                recorded_at=at,
                location=location,
                after=after,
            )
        )

    add(tables.PartyRow(code="ALMATRADE", name="Almaty Trade LLP", role="shipper", country="KZ"))
    add(tables.PartyRow(code="JIANGSUEXP", name="Jiangsu Export Co.", role="shipper", country="CN"))
    add(tables.PartyRow(code="KAZAGRO", name="KazAgro Export", role="shipper", country="KZ"))
    add(
        tables.ConsignmentRow(
            booking_reference="BK-ALA-001", shipper_code="ALMATRADE", origin="CNLYG", destination="KZALA"
        )
    )
    add(
        tables.ConsignmentRow(
            booking_reference="BK-DUI-003", shipper_code="ALMATRADE", origin="CNLYG", destination="DEDUI"
        )
    )
    add(
        tables.ConsignmentRow(
            booking_reference="BK-TAS-002", shipper_code="JIANGSUEXP", origin="CNLYG", destination="UZTAS"
        )
    )
    for name, role, party, token in (
        ("control-room", "yard_operator", None, OPERATOR_TOKEN),
        ("almaty-trade", "shipper", "ALMATRADE", SHIPPER_TOKEN),
        ("jiangsu-export", "shipper", "JIANGSUEXP", OTHER_SHIPPER_TOKEN),
    ):
        add(tables.ApiUserRow(name=name, role=role, party_code=party, token_sha256=token_digest(token), created_at=now))

    # Yard: 30 boxes of Jiangsu Export in block A (one full stack at bay 3 row 2), 6 reefers in R.
    yard: list[tuple[str, str, int, int, int, float]] = []
    serial = 100
    for index in range(30):
        bay, row = 1 + index // 6, 1 + (index % 6) // 3 + 1
        tier = 1 + index % 3
        yard.append((box("JSE", serial), "A", bay, row, tier, 0.5 + index * 0.3))
        serial += 1
    for index in range(6):
        yard.append((box("JSE", serial), "R", 1 + index, 1, 1, 9.0))
        serial += 1
    # A busier yard for the heat maps: seeded, so every run draws the same stacks.
    draw = random.Random(2026)
    for block, bays in (("A", range(12, 30)), ("B", range(1, 24)), ("C", range(8, 20)), ("D", range(30, 41))):
        for bay in bays:
            for row in range(1, 9):
                if draw.random() < 0.45:
                    continue
                dwell = round(draw.uniform(0.2, 11.0), 1)
                for tier in range(1, draw.randint(1, 3) + 1):
                    yard.append((box("JSE", serial), block, bay, row, tier, dwell))
                    serial += 1
    for number, block, bay, row, tier, dwell_days in yard:
        add(
            tables.ContainerRow(
                number=number,
                iso_type="45R1" if block == "R" else "42G1",
                load_state="full",
                gross_mass_kg=21_000,
                seals=[],
                booking_reference="BK-TAS-002",
                position_kind="yard",
                position_reference=f"{block}-{bay}-{row}-{tier}",
                version=1,
            )
        )
        add(tables.YardSlotRow(block=block, bay=bay, row=row, tier=tier, container_number=number))
        event("container.discharged", "container", number, now - timedelta(days=dwell_days + 0.1), "CNLYG")
        event("container.placed", "container", number, now - timedelta(days=dwell_days), f"{block}-{bay}-{row}")
    held = yard[0][0]
    add(
        tables.CustomsHoldRow(
            container_number=held,
            reason="Documents check (HS code mismatch)",
            placed_by="Lianyungang customs",
            placed_at=now - timedelta(hours=60),
        )
    )
    event("customs.hold_placed", "container", held, now - timedelta(hours=60), "CNLYG")

    # Rail: a train loading on T1 for Almaty (wagon 3 overloaded), one on the way to Duisburg, one at Khorgos.
    add(
        tables.TrainVisitRow(
            reference="TR-ALA-0412",
            direction="west",
            route_code="almaty",
            gauge_mm=1435,
            track_code="T1",
            status="loading",
            version=1,
            train_type_code="cn_1435",
        )
    )
    wagon_numbers = ["33712345", "33712352", "33712360", "33712378"]
    shipper_boxes = []
    for position, number in enumerate(wagon_numbers, start=1):
        add(
            tables.WagonRow(
                id=position,
                number=number,
                train_reference="TR-ALA-0412",
                wagon_type_code="cn_flat_40ft",
                position_in_train=position,
            )
        )
    # Wagon 3 carries two heavy 20 ft boxes: 52 t of cargo on a 50 t platform, 18.5 t per axle (limit 18 t).
    loads = {1: [("42G1", 24_000)], 2: [("42G1", 26_500)], 3: [("22G1", 26_000), ("22G1", 26_000)], 4: []}
    serial = 500
    for position, boxes in loads.items():
        for half, (iso_type, mass) in enumerate(boxes, start=1):
            serial += 1
            number = box("ALM", serial)
            shipper_boxes.append(number)
            add(
                tables.ContainerRow(
                    number=number,
                    iso_type=iso_type,
                    load_state="full",
                    gross_mass_kg=mass,
                    seals=[],
                    booking_reference="BK-ALA-001",
                    position_kind="wagon",
                    position_reference=f"TR-ALA-0412/{wagon_numbers[position - 1]}/1",
                    version=1,
                )
            )
            halves = (1, 2) if iso_type.startswith("4") else (half,)
            for cell in halves:
                add(tables.WagonCellRow(wagon_id=position, slot=1, half=cell, container_number=number))
            event("container.gate_in", "container", number, now - timedelta(days=2, hours=serial % 7), "CNLYG")
            event("container.placed", "container", number, now - timedelta(days=2), "B-1-1")
            event(
                "container.loaded_wagon",
                "container",
                number,
                now - timedelta(hours=3),
                "T1",
                {"train": "TR-ALA-0412", "wagon": wagon_numbers[position - 1]},
            )
    add(
        tables.TrainVisitRow(
            reference="TR-DUI-0398",
            direction="west",
            route_code="duisburg",
            gauge_mm=1435,
            track_code=None,
            status="departed",
            version=1,
        )
    )
    transit_box = box("ALM", 900)
    add(
        tables.ContainerRow(
            number=transit_box,
            iso_type="45G1",
            load_state="full",
            gross_mass_kg=18_400,
            seals=[],
            booking_reference="BK-DUI-003",
            position_kind="wagon",
            position_reference="TR-DUI-0398/33790011/1",
            version=1,
        )
    )
    add(
        tables.WagonRow(
            id=5, number="33790011", train_reference="TR-DUI-0398", wagon_type_code="cn_flat_40ft", position_in_train=1
        )
    )
    add(tables.WagonCellRow(wagon_id=5, slot=1, half=1, container_number=transit_box))
    add(tables.WagonCellRow(wagon_id=5, slot=1, half=2, container_number=transit_box))
    event("container.gate_in", "container", transit_box, now - timedelta(days=8), "CNLYG")
    event("container.placed", "container", transit_box, now - timedelta(days=8, hours=-1), "C-4-2")
    event(
        "container.loaded_wagon",
        "container",
        transit_box,
        now - timedelta(days=6, hours=3),
        "T2",
        {"train": "TR-DUI-0398", "wagon": "33790011"},
    )
    # Events are appended in time order, as operations record them: the load before the departure.
    event("train.departed", "train_visit", "TR-DUI-0398", now - timedelta(days=6), "CNLYG")
    add(
        tables.TrainVisitRow(
            reference="TR-TAS-0405",
            direction="west",
            route_code="tashkent",
            gauge_mm=1435,
            track_code=None,
            status="at_border",
            version=1,
        )
    )
    # It carries a box (an emptied train would be released, not in transit: issue #16 wagon cycle).
    border_box = box("ALM", 901)
    add(
        tables.ContainerRow(
            number=border_box,
            iso_type="42G1",
            load_state="full",
            gross_mass_kg=16_200,
            seals=[],
            booking_reference=None,
            position_kind="wagon",
            position_reference="TR-TAS-0405/33790029/1",
            version=1,
        )
    )
    add(
        tables.WagonRow(
            id=6, number="33790029", train_reference="TR-TAS-0405", wagon_type_code="cn_flat_40ft", position_in_train=1
        )
    )
    add(tables.WagonCellRow(wagon_id=6, slot=1, half=1, container_number=border_box))
    add(tables.WagonCellRow(wagon_id=6, slot=1, half=2, container_number=border_box))
    event(
        "container.loaded_wagon",
        "container",
        border_box,
        now - timedelta(days=3, hours=4),
        "T3",
        {"train": "TR-TAS-0405", "wagon": "33790029"},
    )
    event("train.departed", "train_visit", "TR-TAS-0405", now - timedelta(days=3), "CNLYG")
    event("train.at_border", "train_visit", "TR-TAS-0405", now - timedelta(hours=5), "khorgos")
    event("train.departed", "train_visit", "TR-AST-0401", now - timedelta(hours=2), "CNLYG")

    # Port: a ship at berth L1 (berthed two hours late), one gone, one announced.
    add(
        tables.VesselVisitRow(
            reference="V-COSCO-17",
            vessel_name="COSCO Lianyungang",
            imo_number=None,
            eta=now - timedelta(hours=10),
            etb=now - timedelta(hours=8),
            etd=now + timedelta(hours=20),
            berth_code="L1",
            status="berthed",
        )
    )
    event("vessel.berthed", "vessel", "V-COSCO-17", now - timedelta(hours=6), "L1")
    add(
        tables.VesselVisitRow(
            reference="V-SITC-03",
            vessel_name="SITC Hakata",
            imo_number=None,
            eta=now - timedelta(days=2),
            etb=now - timedelta(days=2),
            etd=now - timedelta(days=1),
            berth_code="L2",
            status="departed",
        )
    )
    event("vessel.berthed", "vessel", "V-SITC-03", now - timedelta(days=2, hours=-1), "L2")
    event("vessel.departed", "vessel", "V-SITC-03", now - timedelta(hours=20), "L2")
    add(
        tables.VesselVisitRow(
            reference="V-EVER-88",
            vessel_name="Ever Lucent",
            imo_number=None,
            eta=now + timedelta(days=1),
            etb=now + timedelta(days=1, hours=2),
            etd=now + timedelta(days=2),
            berth_code="L3",
            status="announced",
        )
    )

    # Grain: three lots in the silos; received 2,100 t, shipped 400 t, 1,700 t in stock.
    lots = (
        ("GL-001", "KAZAGRO", "wheat", "3", 800_000, 12.5, "S01"),
        ("GL-002", "KAZAGRO", "wheat", "3", 600_000, 13.0, "S02"),
        ("GL-003", "ALMATRADE", "barley", "2", 300_000, 11.8, "SB01"),
    )
    for reference, owner, crop, grade, mass, moisture, silo in lots:
        add(
            tables.GrainLotRow(
                reference=reference,
                owner_code=owner,
                crop=crop,
                grain_class=grade,
                mass_kg=mass,
                moisture_pct=moisture,
                silo_code=silo,
            )
        )
        event("grain.received", "grain_lot", reference, now - timedelta(days=4), silo, {"received_kg": mass})
        add(
            tables.GrainMovementRow(
                lot_reference=reference,
                owner_code=owner,
                kind="received",
                mass_kg=mass,
                silo_code=silo,
                counterpart="hopper wagons",
                occurred_at=now - timedelta(days=4),
            )
        )
    # KazAgro also received 400 t more into GL-001 and shipped it on a vessel at berth 32.
    for kind, days in (("received", 9), ("shipped", 5)):
        add(
            tables.GrainMovementRow(
                lot_reference="GL-001",
                owner_code="KAZAGRO",
                kind=kind,
                mass_kg=400_000,
                silo_code="S01",
                counterpart="berth 32",
                occurred_at=now - timedelta(days=days),
            )
        )

    with session_factory(database_url)() as session:
        # Parents before children: parties, bookings and visits before the rows that point at them.
        order = (
            tables.PartyRow,
            tables.ConsignmentRow,
            tables.ApiUserRow,
            tables.ContainerRow,
            tables.TrainVisitRow,
            tables.WagonRow,
            tables.VesselVisitRow,
            tables.GrainLotRow,
        )
        for row_type in order:
            session.add_all([row for row in rows if isinstance(row, row_type)])
            session.flush()
        session.add_all([row for row in rows if not isinstance(row, order)])
        session.commit()
    return Demo(
        shipper_box=shipper_boxes[0],
        transit_box=transit_box,
        other_box=yard[5][0],
        held_box=held,
        yard_boxes=len(yard),
        yard_positions=2 * len(yard),
        stack=("A", 1, 2, 3),
        loading_train="TR-ALA-0412",
        overweight_wagon=wagon_numbers[2],
        transit_train="TR-DUI-0398",
        border_train="TR-TAS-0405",
        grain_stock_kg=1_700_000,
    )
