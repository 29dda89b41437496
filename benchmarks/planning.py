"""Run every planning benchmark set and print one table per set; writes benchmarks/results/planning.json.

Each set lives in its own script (``planning_berth.py``, ``planning_cranes.py``, ``planning_yard.py``,
``planning_trains.py``, ``planning_silos.py``) with a ``main(argv) -> dict``; this driver calls
them in turn with the same time limit and instance limit, and gathers their JSON.

    python benchmarks/planning.py [--time-limit 10] [--limit N] [--only berth,cranes,yard,trains,silos]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SETS = ("berth", "cranes", "yard", "trains", "silos")


def _load(name: str) -> Any:
    path = HERE / f"planning_{name}.py"
    spec = importlib.util.spec_from_file_location(f"planning_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the selected sets and return their combined results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N instances per set")
    parser.add_argument("--only", default=",".join(SETS), help="comma-separated sets")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "planning.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    for name in [s.strip() for s in args.only.split(",") if s.strip()]:
        if name not in SETS:
            parser.error(f"--only: unknown set {name!r}; choose from {', '.join(SETS)}")
        module = _load(name)
        sub_argv = ["--time-limit", str(args.time_limit), "--json", str(HERE / "results" / f"planning_{name}.json")]
        if args.limit is not None:
            sub_argv += ["--limit", str(args.limit)]
        results[name] = module.main(sub_argv)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
