"""Train load planning instances: containers, wagons with slot patterns, and the side's limits.

One JSON format serves both jobs. ``"mode": "load"`` loads a block train from the yard (China side:
axle load 18 t, train cargo mass ≤ 1,300 t, train length); ``"mode": "transfer"`` is the gauge
change at the border: containers arriving on 1435 mm wagons are assigned to 1520 mm wagons within
the 1520 limits (axle load 23.5 t). The format is documented in docs/planning-yard-trains-silos.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landbridge.planning.common import PlanningInputError, parse_instance_json, read_instance_text

CONTAINER_LENGTHS_FT = (20, 40, 45)
SLOT_LENGTHS_FT = (20, 40, 45)
# A 45 ft container has corner castings at 40 ft spacing, so it may ride a 45 ft-capable slot; a
# 40 ft container may use such a slot too. A 20 ft slot takes only a 20 ft box.
SLOT_ACCEPTS: dict[int, tuple[int, ...]] = {20: (20,), 40: (40,), 45: (40, 45)}
TEU_BY_LENGTH_FT = {20: 1, 40: 2, 45: 2}


@dataclass(frozen=True)
class Limits:
    """Limits of the side the train runs on; None means no limit of that kind."""

    axle_load_kg: int
    train_cargo_mass_kg: int | None
    train_length_m: float | None


@dataclass(frozen=True)
class Wagon:
    """A flat wagon; ``patterns`` are the slot layouts (lengths in ft) it can be set up with."""

    wagon_id: str
    length_m: float
    tare_kg: int
    payload_kg: int
    axles: int
    patterns: tuple[tuple[int, ...], ...]

    def cargo_limit_kg(self, axle_load_kg: int) -> int:
        """Most cargo the wagon may carry: payload, and axle load with the tare spread evenly."""
        return min(self.payload_kg, axle_load_kg * self.axles - self.tare_kg)


@dataclass(frozen=True)
class Container:
    """A container to load: length, gross mass, priority (higher = more urgent) and where it is."""

    container_id: str
    length_ft: int
    gross_mass_kg: int
    priority: int
    yard_stack: str | None
    yard_tier: int | None
    arrival_wagon: str | None

    @property
    def teu(self) -> int:
        """Twenty-foot equivalent units (a 45 ft box counts 2, as in rail tariffs)."""
        return TEU_BY_LENGTH_FT[self.length_ft]


@dataclass(frozen=True)
class TrainInstance:
    """A load planning or gauge-change transfer instance."""

    name: str
    mode: str
    objective: str
    limits: Limits
    wagons: tuple[Wagon, ...]
    containers: tuple[Container, ...]


def _field(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise PlanningInputError(f"{where}.{key}" if where else key, "missing")
    return data[key]


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PlanningInputError(where, f"expected an integer, got {value!r}")
    if value < minimum:
        raise PlanningInputError(where, f"must be at least {minimum}, got {value}")
    return value


def _number(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise PlanningInputError(where, f"expected a positive number, got {value!r}")
    return float(value)


def _optional_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise PlanningInputError(where, f"expected a non-empty string, got {value!r}")
    return value


def _wagon(raw: Any, index: int) -> Wagon:
    where = f"wagons[{index}]"
    if not isinstance(raw, dict):
        raise PlanningInputError(where, "expected an object")
    patterns_raw = _field(raw, "patterns", where)
    if not isinstance(patterns_raw, list) or not patterns_raw:
        raise PlanningInputError(f"{where}.patterns", "expected a non-empty list of slot layouts")
    patterns: list[tuple[int, ...]] = []
    length_m = _number(_field(raw, "length_m", where), f"{where}.length_m")
    for number, pattern in enumerate(patterns_raw):
        slot_where = f"{where}.patterns[{number}]"
        if not isinstance(pattern, list) or not pattern:
            raise PlanningInputError(slot_where, "expected a non-empty list of slot lengths in ft")
        for slot in pattern:
            if slot not in SLOT_LENGTHS_FT or isinstance(slot, bool):
                raise PlanningInputError(slot_where, f"slot length must be one of {SLOT_LENGTHS_FT} ft, got {slot!r}")
        patterns.append(tuple(pattern))
    return Wagon(
        wagon_id=str(_field(raw, "id", where)),
        length_m=length_m,
        tare_kg=_int(_field(raw, "tare_kg", where), f"{where}.tare_kg", 1),
        payload_kg=_int(_field(raw, "payload_kg", where), f"{where}.payload_kg", 1),
        axles=_int(_field(raw, "axles", where), f"{where}.axles", 1),
        patterns=tuple(patterns),
    )


def _container(raw: Any, index: int, mode: str) -> Container:
    where = f"containers[{index}]"
    if not isinstance(raw, dict):
        raise PlanningInputError(where, "expected an object")
    length = _field(raw, "length_ft", where)
    if length not in CONTAINER_LENGTHS_FT or isinstance(length, bool):
        raise PlanningInputError(f"{where}.length_ft", f"must be one of {CONTAINER_LENGTHS_FT}, got {length!r}")
    yard = raw.get("yard")
    stack: str | None = None
    tier: int | None = None
    if yard is not None:
        if not isinstance(yard, dict):
            raise PlanningInputError(f"{where}.yard", "expected {stack, tier}")
        stack = _optional_str(_field(yard, "stack", f"{where}.yard"), f"{where}.yard.stack")
        tier = _int(_field(yard, "tier", f"{where}.yard"), f"{where}.yard.tier", 1)
    arrival = _optional_str(raw.get("arrival_wagon"), f"{where}.arrival_wagon")
    if mode == "transfer" and arrival is None:
        raise PlanningInputError(f"{where}.arrival_wagon", "required in transfer mode")
    return Container(
        container_id=str(_field(raw, "id", where)),
        length_ft=int(length),
        gross_mass_kg=_int(_field(raw, "gross_mass_kg", where), f"{where}.gross_mass_kg", 1),
        priority=_int(raw.get("priority", 1), f"{where}.priority", 1),
        yard_stack=stack,
        yard_tier=tier,
        arrival_wagon=arrival,
    )


def instance_from_json(data: Any, default_name: str = "train") -> TrainInstance:
    """Validate and build an instance from parsed JSON."""
    if not isinstance(data, dict):
        raise PlanningInputError("instance", "expected a JSON object")
    mode = data.get("mode", "load")
    if mode not in ("load", "transfer"):
        raise PlanningInputError("mode", f"must be 'load' or 'transfer', got {mode!r}")
    objective = data.get("objective", "teu")
    if objective not in ("teu", "priority"):
        raise PlanningInputError("objective", f"must be 'teu' or 'priority', got {objective!r}")
    limits_raw = _field(data, "limits", "")
    if not isinstance(limits_raw, dict):
        raise PlanningInputError("limits", "expected an object")
    cargo = limits_raw.get("train_cargo_mass_kg")
    length = limits_raw.get("train_length_m")
    limits = Limits(
        axle_load_kg=_int(_field(limits_raw, "axle_load_kg", "limits"), "limits.axle_load_kg", 1),
        train_cargo_mass_kg=None if cargo is None else _int(cargo, "limits.train_cargo_mass_kg", 1),
        train_length_m=None if length is None else _number(length, "limits.train_length_m"),
    )
    wagons_raw = _field(data, "wagons", "")
    containers_raw = _field(data, "containers", "")
    if not isinstance(wagons_raw, list) or not isinstance(containers_raw, list):
        raise PlanningInputError("wagons", "wagons and containers must be lists")
    wagons = tuple(_wagon(raw, i) for i, raw in enumerate(wagons_raw))
    containers = tuple(_container(raw, i, mode) for i, raw in enumerate(containers_raw))
    _unique([w.wagon_id for w in wagons], "wagons")
    _unique([c.container_id for c in containers], "containers")
    places = [(c.yard_stack, c.yard_tier) for c in containers if c.yard_stack is not None]
    if len(places) != len(set(places)):
        raise PlanningInputError("containers.yard", "two containers share one yard position")
    for index, wagon in enumerate(wagons):
        if wagon.cargo_limit_kg(limits.axle_load_kg) <= 0:
            raise PlanningInputError(f"wagons[{index}]", "tare alone exceeds the axle load limit")
    return TrainInstance(
        name=str(data.get("name", default_name)),
        mode=mode,
        objective=objective,
        limits=limits,
        wagons=wagons,
        containers=containers,
    )


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise PlanningInputError(f"{where}[{index}].id", f"duplicate id {value!r}")
        seen.add(value)


def instance_to_json(instance: TrainInstance) -> dict[str, Any]:
    """The instance as the JSON :func:`instance_from_json` reads (and the checker too)."""

    def container(c: Container) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": c.container_id,
            "length_ft": c.length_ft,
            "gross_mass_kg": c.gross_mass_kg,
            "priority": c.priority,
            "yard": None if c.yard_stack is None else {"stack": c.yard_stack, "tier": c.yard_tier},
        }
        if c.arrival_wagon is not None:
            row["arrival_wagon"] = c.arrival_wagon
        return row

    return {
        "name": instance.name,
        "mode": instance.mode,
        "objective": instance.objective,
        "limits": {
            "axle_load_kg": instance.limits.axle_load_kg,
            "train_cargo_mass_kg": instance.limits.train_cargo_mass_kg,
            "train_length_m": instance.limits.train_length_m,
        },
        "wagons": [
            {
                "id": w.wagon_id,
                "length_m": w.length_m,
                "tare_kg": w.tare_kg,
                "payload_kg": w.payload_kg,
                "axles": w.axles,
                "patterns": [list(p) for p in w.patterns],
            }
            for w in instance.wagons
        ],
        "containers": [container(c) for c in instance.containers],
    }


def read_train_instance(path: Path) -> TrainInstance:
    """Read a train instance JSON file."""
    text = read_instance_text(path)
    data = parse_instance_json(text)
    return instance_from_json(data, default_name=path.stem)
