"""Seed the database from a scenario: master data only, idempotently.

Running the seed twice leaves the database as after the first run (rows are merged by their
codes); an event records each seed whose file content differs from the last one seeded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from landbridge.domain.events import Event, EventType, utc_now
from landbridge.domain.units import tonnes_to_kg
from landbridge.scenarios.model import Scenario
from landbridge.services.actor import Actor
from landbridge.services.operations.common import execute
from landbridge.services.work.fleet import fleet_rows
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

SEED_ACTOR = "landbridge-seed"


@dataclass(frozen=True)
class SeedSummary:
    """What a seed run found and did."""

    scenario: str
    changed: bool
    counts: dict[str, int]


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON (formatting changes do not count)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _master_rows(scenario: Scenario) -> list[tables.Base]:
    rows: list[tables.Base] = []
    rows += [
        tables.BerthRow(
            code=b.code,
            terminal=b.terminal,
            length_m=b.length_m,
            depth_m=b.depth_m,
            quay_cranes=b.quay_cranes,
            purpose=b.purpose,
        )
        for b in scenario.port.berths
    ]
    rows += [
        tables.YardBlockRow(
            code=b.code,
            bays=b.bays,
            rows=b.rows,
            max_tiers_full=b.max_tiers_full,
            max_tiers_empty=b.max_tiers_empty,
            reefer_plugs=b.reefer_plugs,
            dangerous_goods=b.dangerous_goods,
        )
        for b in scenario.base.yard.blocks
    ]
    rows += [
        tables.TrackRow(code=t.code, length_m=t.length_m, gauge_mm=1435) for t in scenario.base.rail.loading_tracks
    ]
    rows += fleet_rows(scenario)
    rows += [
        tables.CrossingRow(
            code=c.code,
            name=c.name,
            methods=list(c.methods),
            train_handling_h=c.train_handling_h,
            trains_per_day=c.trains_per_day,
            eastbound_trains_per_day=c.eastbound_trains_per_day,
            lat=c.lat,
            lon=c.lon,
        )
        for c in scenario.crossings
    ]
    rows += [
        tables.RouteRow(
            code=r.code,
            destination=r.destination,
            country=r.country,
            km=r.km,
            transit_days=r.transit_days,
            transit_days_p10=r.transit_days_p10,
            transit_days_p90=r.transit_days_p90,
            crossing_code=r.crossing,
            lat=r.lat,
            lon=r.lon,
        )
        for r in scenario.routes
    ]
    rows += [
        tables.WagonTypeRow(
            code=w.code,
            gauge_mm=w.gauge_mm,
            platform_ft=w.platform_ft,
            length_m=w.length_m,
            tare_kg=tonnes_to_kg(w.tare_t),
            payload_kg=tonnes_to_kg(w.payload_t),
            axles=w.axles,
        )
        for w in scenario.wagon_types
    ]
    rows += [
        tables.TrainTypeRow(
            code=t.code,
            gauge_mm=t.gauge_mm,
            wagons=t.wagons,
            teu=t.teu,
            max_cargo_kg=None if t.max_cargo_t is None else tonnes_to_kg(t.max_cargo_t),
            axle_load_kg=tonnes_to_kg(t.axle_load_t),
            max_length_m=t.max_length_m,
        )
        for t in scenario.train_types
    ]
    rows += [
        tables.SiloRow(
            code=code,
            capacity_kg=tonnes_to_kg(group.capacity_t),
            allow_mixing=group.allow_mixing,
        )
        for group in scenario.grain.silo_groups
        for code in group.bin_codes()
    ]
    return rows


def seed_scenario(uow: UnitOfWork, scenario: Scenario) -> SeedSummary:
    """Merge the scenario's master data into the database, in one transaction."""
    summary: SeedSummary = execute(uow, Actor(SEED_ACTOR, "admin"), lambda work: merge_scenario(work, scenario)).body
    return summary


def merge_scenario(uow: UnitOfWork, scenario: Scenario) -> SeedSummary:
    """The seed inside an open unit of work (the caller commits): rows merged by code, event on change."""
    digest = scenario_digest(scenario)
    rows = _master_rows(scenario)
    for row in rows:
        uow.session.merge(row)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.__tablename__] = counts.get(row.__tablename__, 0) + 1
    previous = uow.session.get(tables.SeedRow, scenario.scenario)
    changed = previous is None or previous.digest != digest
    if changed:
        summary = json.dumps(counts, sort_keys=True)
        uow.session.merge(
            tables.SeedRow(scenario=scenario.scenario, digest=digest, seeded_at=utc_now(), summary=summary)
        )
        uow.events.append(
            Event(
                event_type=EventType.SCENARIO_SEEDED,
                subject_type="scenario",
                subject_id=scenario.scenario,
                actor=SEED_ACTOR,
                role="admin",
                before=None if previous is None else {"digest": previous.digest},
                after={"digest": digest, "counts": counts},
                source_reference=f"scenario:{scenario.scenario}",
            )
        )
    return SeedSummary(scenario=scenario.scenario, changed=changed, counts=counts)


def is_seeded(uow: UnitOfWork) -> bool:
    """Whether any scenario has been seeded into this database."""
    with uow:
        return uow.session.query(tables.SeedRow).first() is not None
