"""Billing service computation and the independent checker agree to the cent on random histories,
tariffs and waivers; free-time and tier edges are exact."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from landbridge.billing.charges import (
    BoxEvent,
    BoxFacts,
    GrainEvent,
    Waiver,
    box_charges,
    grain_charges,
    owed_days,
)
from landbridge.billing.check import check_period
from landbridge.billing.tariff import MoveKind, Tariff, default_tariff, parse_tariff, tariff_document
from landbridge.domain.iso_types import teu_of_length

T0 = datetime(2026, 10, 1, tzinfo=UTC)
ARRIVE = ["container.discharged", "container.unloaded_wagon", "container.gate_in"]
LEAVE = ["container.loaded_vessel", "container.loaded_wagon", "container.gate_out"]
INSIDE = [
    "container.stuffed",
    "container.stripped",
    "container.placed",
    "container.gauge_transfer",
    "container.vgm_declared",
]
PARTIES = ["LINE1", "SHIP1", "CONS1"]
SERVICES = ["container.placed", "container.vgm_declared"] * 2  # charged when caused by a customer / weighed here

rates = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def time_charge(draw: st.DrawFn) -> dict[str, Any]:
    free = draw(st.integers(0, 6))
    lengths = draw(st.lists(st.integers(1, 5), min_size=0, max_size=2))
    tiers, start = [], free + 1
    for length in lengths:
        tiers.append({"from_day": start, "to_day": start + length - 1, "rate": str(draw(rates))})
        start += length
    tiers.append({"from_day": start, "to_day": None, "rate": str(draw(rates))})
    payer = draw(st.sampled_from(["line", "shipper", "consignee", "cargo"]))
    return {"free_days": free, "unit": draw(st.sampled_from(["teu_day", "box_day"])), "payer": payer, "tiers": tiers}


@st.composite
def version(draw: st.DrawFn, name: str, begins: datetime, ends: datetime | None) -> dict[str, Any]:
    payers = st.sampled_from(["line", "shipper", "consignee", "cargo"])
    handling = {
        kind.value: {"per_20ft": str(draw(rates)), "per_40ft": str(draw(rates)), "payer": draw(payers)}
        for kind in MoveKind
    }
    return {
        "version": name,
        "valid_from": begins.isoformat(),
        "valid_to": None if ends is None else ends.isoformat(),
        "handling": handling,
        "storage": draw(time_charge()),
        "line_storage": draw(time_charge()),
        "reefer_power": draw(time_charge()),
        "dg_surcharge_per_move": str(draw(rates)),
        "grain": {move: {"per_tonne": str(draw(rates))} for move in GRAIN if draw(st.integers(0, 5))},
        "weighing": {"per_box": str(draw(rates)), "payer": draw(payers)} if draw(st.integers(0, 3)) else None,
        "extra_move": {"per_20ft": str(draw(rates)), "per_40ft": str(draw(rates))} if draw(st.integers(0, 3)) else None,
    }


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    split = T0 + timedelta(hours=draw(st.integers(0, 24 * 70)))
    versions = [draw(version("a", T0 - timedelta(days=400), split))]
    if draw(st.booleans()):
        versions.append(draw(version("b", split, None)))
    return parse_tariff({"code": "T", "name": "random", "versions": versions})


@st.composite
def histories(draw: st.DrawFn, number: str) -> list[BoxEvent]:
    moment = T0 + timedelta(hours=draw(st.integers(0, 40 * 24)))
    events, inside = [], False
    for index in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(LEAVE + INSIDE + SERVICES)) if inside else draw(st.sampled_from(ARRIVE))
        inside = (inside and kind not in LEAVE) or kind in ARRIVE
        load = draw(st.sampled_from(["full", "empty"]))
        caused_by = draw(st.sampled_from([None, *PARTIES])) if kind == "container.placed" else None
        weighed = draw(st.integers(0, 3)) > 0 if kind == "container.vgm_declared" else False
        events.append(BoxEvent(index + 1, kind, moment, load, caused_by=caused_by, weighed_here=weighed))
        # gaps around whole days hit the free-time and tier edges exactly
        step = draw(st.one_of(st.integers(0, 30 * 86_400), st.sampled_from([86_400 * d for d in range(1, 12)])))
        moment += timedelta(seconds=step + (draw(st.sampled_from([0, 0, 1, -1])) if step else 0))
    return events


@st.composite
def boxes(draw: st.DrawFn, number: str) -> BoxFacts:
    length = draw(st.sampled_from([20, 40, 45]))
    parties = st.one_of(st.none(), st.sampled_from(["LINE1", "SHIP1", "CONS1"]))
    return BoxFacts(
        number=number,
        length_ft=length,
        teu=teu_of_length(length),
        reefer=draw(st.booleans()),
        dangerous=draw(st.booleans()),
        line=draw(parties),
        shipper=draw(parties),
        consignee=draw(parties),
    )


def _facts(box: BoxFacts) -> dict[str, Any]:
    return {
        "length_ft": box.length_ft,
        "reefer": box.reefer,
        "dangerous": box.dangerous,
        "line": box.line,
        "shipper": box.shipper,
        "consignee": box.consignee,
    }


GRAIN = ["received", "transferred", "shipped"]


@st.composite
def grain_events(draw: st.DrawFn) -> tuple[GrainEvent | None, dict[str, Any]]:
    """A grain event as the service reads it (None when not charged) and as the checker gets it raw."""
    move = draw(st.sampled_from(GRAIN))
    moment = T0 + timedelta(seconds=draw(st.integers(0, 60 * 86_400)))
    kg = draw(st.one_of(st.integers(1, 3000), st.integers(1, 300).map(lambda t: t * 1000)))
    owner = draw(st.sampled_from(PARTIES))
    source_side = move != "transferred" or draw(st.booleans())  # a partial transfer's new lot: not charged
    key = {"received": "received_kg", "shipped": "shipped_kg", "transferred": "moved_kg"}[move]
    after: dict[str, Any] = {"reference": "G1", "owner_code": owner, key: kg}
    if move == "transferred":
        after["to_silo" if source_side else "from_lot"] = "SB02" if source_side else "G0"
    event_id = draw(st.integers(1000, 2000))
    raw = {"id": event_id, "lot": "G1", "type": f"grain.{move}", "occurred_at": moment.isoformat(), "after": after}
    charged = GrainEvent(event_id, f"grain.{move}", moment, "G1", owner, kg) if source_side else None
    return charged, raw


@settings(max_examples=150, deadline=None)
@given(
    tariff=tariffs(),
    box_list=st.lists(st.sampled_from(["B1", "B2", "B3"]), min_size=1, max_size=3, unique=True).flatmap(
        lambda names: st.tuples(*[st.tuples(boxes(n), histories(n)) for n in names])
    ),
    period_offset_days=st.integers(0, 50),
    period_days=st.integers(1, 31),
    waive=st.lists(
        st.tuples(st.sampled_from(["B1", "B2"]), st.sampled_from(["storage", "all", "discharge", "extra_move"])),
        max_size=2,
    ),
    grain=st.lists(grain_events(), min_size=1, max_size=4),
)
def test_service_and_checker_agree_to_the_cent(
    tariff: Tariff,
    box_list: tuple[tuple[BoxFacts, list[BoxEvent]], ...],
    period_offset_days: int,
    period_days: int,
    waive: list[tuple[str, str]],
    grain: list[tuple[GrainEvent | None, dict[str, Any]]],
) -> None:
    start = T0 + timedelta(days=period_offset_days)
    window = (start, start + timedelta(days=period_days))
    horizon = window[1]
    waivers = [Waiver(c, k, "test", T0 + timedelta(days=10), T0 + timedelta(days=30)) for c, k in waive]
    by_payer: dict[str, int] = defaultdict(int)
    by_box_kind: dict[str, int] = defaultdict(int)
    events: list[dict[str, Any]] = []
    for box, history in box_list:
        for line in box_charges(tariff, box, history, window, horizon, waivers):
            cents = int(line.amount * 100)
            assert Decimal(cents) == line.amount * 100
            if cents:
                by_payer[line.payer or ""] += cents
                by_box_kind[f"{box.number}|{line.kind}"] += cents
        events.extend(
            {
                "id": e.event_id,
                "container": box.number,
                "type": e.event_type,
                "occurred_at": e.occurred_at.isoformat(),
                "load_state": e.load_state,
                "caused_by_party": e.caused_by,
                "weighed_at_base": e.weighed_here,
            }
            for e in history
        )
    for line in grain_charges(tariff, [g for g, _ in grain if g is not None], window):
        assert line.amount == line.rate * line.quantity
        by_payer[line.payer or ""] += int(line.amount * 100)
        by_box_kind[f"{line.container}|{line.kind}"] += int(line.amount * 100)
    checked = check_period(
        {
            "tariff": tariff_document(tariff),
            "period": {"start": window[0].isoformat(), "end": window[1].isoformat()},
            "horizon": horizon.isoformat(),
            "boxes": {box.number: _facts(box) for box, _ in box_list},
            "events": events,
            "grain_events": [raw for _, raw in grain],
            "waivers": [
                {"container": w.container, "kind": w.kind, "start": w.start.isoformat(), "end": w.end.isoformat()}
                for w in waivers
                if w.start and w.end
            ],
        }
    )
    assert {k: v for k, v in by_payer.items() if v} == {k: v for k, v in checked["by_payer"].items() if v}
    assert {k: v for k, v in by_box_kind.items() if v} == {k: v for k, v in checked["by_box_kind"].items() if v}


BOX = BoxFacts("LBOU0000001", 20, Decimal(1), reefer=False, dangerous=False, line="LINE", consignee="CONS")
ARRIVAL = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _storage(left_after: timedelta) -> Decimal:
    history = [
        BoxEvent(1, "container.discharged", ARRIVAL, "full"),
        BoxEvent(2, "container.gate_out", ARRIVAL + left_after, "full"),
    ]
    window = (ARRIVAL - timedelta(days=1), ARRIVAL + timedelta(days=60))
    lines = box_charges(default_tariff(), BOX, history, window, window[1])
    return sum((line.amount for line in lines if line.kind == "storage"), Decimal(0))


def test_leaving_at_the_last_second_of_free_time_pays_nothing() -> None:
    free = default_tariff().versions[0].storage.free_days
    assert _storage(timedelta(days=free)) == 0
    assert _storage(timedelta(days=free, seconds=1)) == Decimal(12)  # day 5 begun: one TEU-day of tier 1


def test_tier_edge_is_exact() -> None:
    # days 5–10 at 12, day 11 on at 24 (2026.1): leaving just after day 10 ends vs just after day 11 begins.
    assert _storage(timedelta(days=10)) == 6 * 12
    assert _storage(timedelta(days=10, seconds=1)) == 6 * 12 + 24


def test_a_guarantee_covers_the_days_begun_before_its_date() -> None:
    history = [BoxEvent(1, "container.discharged", ARRIVAL, "full")]
    at = ARRIVAL + timedelta(days=7, hours=1)  # days 5..8 begun: 4 × 12 owed
    assert owed_days(default_tariff(), BOX, history, at, None) == 48
    assert owed_days(default_tariff(), BOX, history, at, ARRIVAL + timedelta(days=7, hours=1)) == 0
    assert owed_days(default_tariff(), BOX, history, at, ARRIVAL + timedelta(days=6)) == 24
    waived = [Waiver(BOX.number, "storage", "quay crane breakdown", None, None)]
    assert owed_days(default_tariff(), BOX, history, at, None, waived) == 0


def test_a_45_ft_box_pays_2_25_teu_days_rounded_per_day() -> None:
    long_box = BoxFacts("LBOU0000002", 45, teu_of_length(45), reefer=False, dangerous=False, line="LINE")
    free = default_tariff().versions[0].storage.free_days
    history = [
        BoxEvent(1, "container.discharged", ARRIVAL, "full"),
        BoxEvent(2, "container.gate_out", ARRIVAL + timedelta(days=free + 2), "full"),
    ]
    window = (ARRIVAL, ARRIVAL + timedelta(days=60))
    (line,) = [c for c in box_charges(default_tariff(), long_box, history, window, window[1]) if c.kind == "storage"]
    assert (line.unit, line.quantity, line.rate, line.amount) == ("day_2.25teu", 2, Decimal("27.00"), Decimal(54))
    odd = default_tariff().model_dump(mode="json")
    for version in odd["versions"]:
        version["storage"]["tiers"][0]["rate"] = "3.33"  # 3.33 × 2.25 = 7.4925 → 7.49 a day
    (line,) = [c for c in box_charges(parse_tariff(odd), long_box, history, window, window[1]) if c.kind == "storage"]
    assert (line.rate, line.amount) == (Decimal("7.49"), Decimal("14.98"))
