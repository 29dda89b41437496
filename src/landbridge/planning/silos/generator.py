"""Seeded generator of silo allocation instances on the Miaoling complex (no public set exists).

The silos are the bundled scenario's (``grain.silo_groups``: 40 silos of 2,400 t and 24 star bins
of 375 t, named as the database seeds them, ``S01``… and ``SB01``…). A day is described by how
many lots are stored and how many arrive; stored lots sit in one to three bins each, 20–90 %
full, arriving lots weigh 1,000–4,900 t (one to five block trains of Kazakh grain). Owners and
crops are drawn from a fixed list, so some keys (owner, crop, class) repeat and share bins.

Same parameters and seed give the same file, byte for byte (``random.Random(seed)`` only).
Run ``python -m landbridge.planning.silos.generator OUT_DIR`` to write the committed set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landbridge.domain.units import tonnes_to_kg
from landbridge.planning.common import generator_main, write_json
from landbridge.scenarios.loader import load_scenario

OWNERS = ("KazAgro", "Cofco", "Olam", "Akmola Grain", "Kostanay Mills", "Arbuz Trade")
CROPS = (("wheat", "2"), ("wheat", "3"), ("barley", ""), ("flax", ""), ("rye", ""))


@dataclass(frozen=True)
class SiloDay:
    """One generated day: lots already stored, lots arriving, seed."""

    name: str
    stored_lots: int
    arriving_lots: int
    seed: int


BENCHMARK_SET = (
    SiloDay("miaoling-01", 30, 8, 1),
    SiloDay("miaoling-02", 40, 10, 2),
    SiloDay("miaoling-03", 20, 15, 3),
    SiloDay("miaoling-04", 35, 6, 4),
    SiloDay("miaoling-05", 45, 5, 5),
    SiloDay("miaoling-06", 25, 12, 6),
)
"""Fill 60–85 %: from days where everything fits as it is to days that need grain moved first."""


def generate(day: SiloDay) -> dict[str, Any]:
    """The instance JSON (format in docs/planning-yard-trains-silos.md) for one day."""
    rng = random.Random(day.seed)
    groups = load_scenario().grain.silo_groups
    silos: list[dict[str, Any]] = [
        {"id": code, "capacity_kg": tonnes_to_kg(group.capacity_t), "contents": []}
        | ({"allow_mixing": True} if group.allow_mixing else {})
        for group in groups
        for code in group.bin_codes()
    ]
    lots: list[dict[str, Any]] = []
    free = list(range(len(silos)))
    rng.shuffle(free)
    for number in range(1, day.stored_lots + 1):  # fewer when the bins run out first
        owner = rng.choice(OWNERS)
        crop, grain_class = rng.choice(CROPS)
        lot_id = f"L{number:03d}"
        mass_kg = 0
        for _ in range(rng.choice((1, 1, 2, 3))):
            if not free:
                break
            silo = silos[free.pop()]
            kg = rng.randint(2, 9) * silo["capacity_kg"] // 10
            silo["contents"].append({"lot": lot_id, "mass_kg": kg})
            mass_kg += kg
        if mass_kg == 0:
            break
        lots.append({"id": lot_id, "owner": owner, "crop": crop, "grain_class": grain_class, "mass_kg": mass_kg})
    for number in range(1, day.arriving_lots + 1):
        owner = rng.choice(OWNERS)
        crop, grain_class = rng.choice(CROPS)
        mass_kg = rng.randint(1, 4) * 1_000_000 + rng.randint(0, 9) * 100_000
        lots.append(
            {"id": f"A{number:03d}", "owner": owner, "crop": crop, "grain_class": grain_class, "mass_kg": mass_kg}
        )
    capacity_kg = sum(silo["capacity_kg"] for silo in silos)
    fill = sum(lot["mass_kg"] for lot in lots) / capacity_kg
    return {
        "name": day.name,
        "note": (
            f"Generated (seed {day.seed}): Miaoling complex from the bundled scenario, "
            f"{len(lots) - day.arriving_lots} lots stored, {day.arriving_lots} arriving, "
            f"{fill:.0%} full after intake."
        ),
        "silos": silos,
        "lots": lots,
    }


def write_benchmark_set(out_dir: Path) -> list[Path]:
    """Write every day of ``BENCHMARK_SET`` as ``<name>.json``; returns the paths."""
    return [write_json(out_dir / f"{day.name}.json", generate(day)) for day in BENCHMARK_SET]


def main(argv: list[str] | None = None) -> None:
    """Command line: write the benchmark set into a folder."""
    generator_main("Write the generated silo benchmark instances.", write_benchmark_set, argv)


if __name__ == "__main__":
    main()
