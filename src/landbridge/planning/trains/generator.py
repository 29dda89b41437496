"""Seeded generator of train load planning instances, parameterised like Bruns & Knust (2012).

Bruns & Knust ("Optimized load planning of trains in intermodal transportation", OR Spectrum
34(3):511–533, 2012) vary the number of wagons, the wagon type mix (each type with its slot
configurations and load limits), the container length mix, the share of heavy containers and the
ratio of offered containers to train capacity. This generator takes the same knobs. Masses and
wagon data below are typical values, marked *assumed* in docs/planning-yard-trains-silos.md:

=========  ========  =======  ==========  =====  ========================================
wagon      length_m  tare_kg  payload_kg  axles  slot patterns (ft)
=========  ========  =======  ==========  =====  ========================================
40 ft      13.86     12,000   48,000      2      [40] [45] [20,20]
60 ft      19.74     20,000   70,000      4      [40,20] [20,20,20] [45]
80 ft      26.39     27,000   108,000     6      [40,40] [20,20,20,20] [40,20,20] [45,20]
1520 60ft  19.62     22,000   71,000      4      [40,20] [20,20,20] [45]
1520 80ft  25.22     24,000   72,000      4      [40,40] [20,20,20,20] [40,20,20] [45,20]
=========  ========  =======  ==========  =====  ========================================

Same parameters and seed give the same file, byte for byte (``random.Random(seed)`` only).
Run ``python -m landbridge.planning.trains.generator OUT_DIR`` to write the committed set.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from landbridge.planning.common import generator_main, write_json

CHINA_AXLE_LOAD_KG = 18_000
CHINA_TRAIN_CARGO_MASS_KG = 1_300_000
BROAD_AXLE_LOAD_KG = 23_500

_WAGON_TYPES: dict[str, dict[str, Any]] = {
    "40": {"length_m": 13.86, "tare_kg": 12_000, "payload_kg": 48_000, "axles": 2, "patterns": [[40], [45], [20, 20]]},
    "60": {
        "length_m": 19.74,
        "tare_kg": 20_000,
        "payload_kg": 70_000,
        "axles": 4,
        "patterns": [[40, 20], [20, 20, 20], [45]],
    },
    "80": {
        "length_m": 26.39,
        "tare_kg": 27_000,
        "payload_kg": 108_000,
        "axles": 6,
        "patterns": [[40, 40], [20, 20, 20, 20], [40, 20, 20], [45, 20]],
    },
    "1520-60": {
        "length_m": 19.62,
        "tare_kg": 22_000,
        "payload_kg": 71_000,
        "axles": 4,
        "patterns": [[40, 20], [20, 20, 20], [45]],
    },
    "1520-80": {
        "length_m": 25.22,
        "tare_kg": 24_000,
        "payload_kg": 72_000,
        "axles": 4,
        "patterns": [[40, 40], [20, 20, 20, 20], [40, 20, 20], [45, 20]],
    },
}
_TEU = {20: 1, 40: 2, 45: 2}
_TARE = {20: 2_200, 40: 3_800, 45: 4_800}
_LIGHT = {20: (5_000, 18_000), 40: (8_000, 20_000), 45: (9_000, 20_000)}
_HEAVY = {20: (18_000, 28_000), 40: (20_000, 30_480), 45: (20_000, 30_480)}


@dataclass(frozen=True)
class GeneratorParameters:
    """The knobs of one instance (Bruns & Knust-style); shares are probabilities."""

    name: str
    seed: int
    mode: str = "load"  # "load" (China side) or "transfer" (gauge change to 1520)
    objective: str = "teu"
    n_wagons: int = 10
    wagon_mix: tuple[float, float, float] = (0.2, 0.5, 0.3)  # 40 / 60 / 80 ft (load mode)
    supply_ratio: float = 1.0  # TEU offered / TEU the wagons can carry
    length_mix: tuple[float, float, float] = (0.45, 0.45, 0.10)  # 20 / 40 / 45 ft
    empty_share: float = 0.1
    heavy_share: float = 0.4
    priority_levels: int = 3
    yard_stacks: int = 8
    yard_max_tier: int = 4
    length_share: float = 0.9  # train length limit as a share of all wagons' length


def _wagons(params: GeneratorParameters, rng: random.Random) -> list[dict[str, Any]]:
    kinds = ["40", "60", "80"] if params.mode == "load" else ["1520-60", "1520-80"]
    weights = list(params.wagon_mix) if params.mode == "load" else [0.5, 0.5]
    prefix = "CN" if params.mode == "load" else "KZ"
    wagons = []
    for number in range(1, params.n_wagons + 1):
        kind = rng.choices(kinds, weights=weights)[0]
        data = _WAGON_TYPES[kind]
        wagons.append({"id": f"{prefix}{number:03d}", "type": kind, **data})
    return wagons


def _container(number: int, params: GeneratorParameters, rng: random.Random) -> dict[str, Any]:
    length = rng.choices([20, 40, 45], weights=list(params.length_mix))[0]
    roll = rng.random()
    if roll < params.empty_share:
        mass = _TARE[length]
    else:
        low, high = _HEAVY[length] if roll < params.empty_share + params.heavy_share else _LIGHT[length]
        mass = rng.randint(low // 10, high // 10) * 10
    return {
        "id": f"BOX{number:04d}",
        "length_ft": length,
        "gross_mass_kg": mass,
        "priority": rng.randint(1, params.priority_levels),
    }


def generate(params: GeneratorParameters) -> dict[str, Any]:
    """Build one instance as JSON-ready data."""
    rng = random.Random(params.seed)
    wagons = _wagons(params, rng)
    capacity_teu = sum(max(sum(_TEU[slot] for slot in p) for p in w["patterns"]) for w in wagons)
    target_teu = round(capacity_teu * params.supply_ratio)
    containers: list[dict[str, Any]] = []
    offered = 0
    while offered < target_teu:
        box = _container(len(containers) + 1, params, rng)
        containers.append(box)
        offered += _TEU[box["length_ft"]]
    if params.mode == "load":
        heights = [0] * params.yard_stacks
        for box in containers:
            open_stacks = [s for s in range(params.yard_stacks) if heights[s] < params.yard_max_tier]
            if not open_stacks:
                break  # yard full: the rest wait at the gate (no yard position)
            stack = rng.choice(open_stacks)
            heights[stack] += 1
            box["yard"] = {"stack": f"Y{stack + 1:02d}", "tier": heights[stack]}
        limits: dict[str, Any] = {
            "axle_load_kg": CHINA_AXLE_LOAD_KG,
            "train_cargo_mass_kg": CHINA_TRAIN_CARGO_MASS_KG,
            "train_length_m": round(params.length_share * sum(w["length_m"] for w in wagons), 1),
        }
    else:
        arrivals = max(1, len(containers) // 2)
        for box in containers:
            box["arrival_wagon"] = f"CN{rng.randint(1, arrivals):03d}"
        limits = {"axle_load_kg": BROAD_AXLE_LOAD_KG, "train_cargo_mass_kg": None, "train_length_m": None}
    return {
        "name": params.name,
        "mode": params.mode,
        "objective": params.objective,
        "generator": {"module": "landbridge.planning.trains.generator", **asdict(params)},
        "limits": limits,
        "wagons": wagons,
        "containers": containers,
    }


# The committed benchmark set: small (10–12 wagons) and medium (30 wagons) load plans, and two
# gauge-change transfers. Each line varies one Bruns & Knust knob against the defaults.
BENCHMARK_SET: tuple[GeneratorParameters, ...] = (
    GeneratorParameters("load-s-01", seed=101, n_wagons=10, supply_ratio=0.8),
    GeneratorParameters("load-s-02", seed=102, n_wagons=10, supply_ratio=1.2),
    GeneratorParameters("load-s-03", seed=103, n_wagons=12, supply_ratio=1.4, objective="priority"),
    GeneratorParameters("load-s-04", seed=104, n_wagons=12, supply_ratio=1.2, heavy_share=0.8),
    GeneratorParameters("load-m-01", seed=201, n_wagons=30, supply_ratio=1.0),
    GeneratorParameters("load-m-02", seed=202, n_wagons=30, supply_ratio=1.3, objective="priority"),
    GeneratorParameters(
        "load-m-03", seed=203, n_wagons=30, supply_ratio=1.5, heavy_share=0.9, yard_stacks=16, length_share=1.0
    ),
    GeneratorParameters(
        "load-m-04", seed=204, n_wagons=30, supply_ratio=1.1, length_mix=(0.2, 0.5, 0.3), yard_stacks=16
    ),
    GeneratorParameters("transfer-s-01", seed=301, mode="transfer", n_wagons=10, supply_ratio=0.9),
    GeneratorParameters("transfer-m-01", seed=302, mode="transfer", n_wagons=25, supply_ratio=1.1, heavy_share=0.6),
)


def write_benchmark_set(out_dir: Path) -> list[Path]:
    """Write every instance of :data:`BENCHMARK_SET` into ``out_dir``."""
    return [write_json(out_dir / f"{params.name}.json", generate(params)) for params in BENCHMARK_SET]


def main(argv: list[str] | None = None) -> None:
    """Command line: write the benchmark set into a folder."""
    generator_main("Write the seeded train load planning instances.", write_benchmark_set, argv)


if __name__ == "__main__":
    main()
