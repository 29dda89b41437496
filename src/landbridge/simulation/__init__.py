"""The digital twin of the base and its corridor: engine, processes, KPIs, report, sweeps.

The engine is imported on first use (PEP 562), not with the package: the ``landbridge`` command
line loads this package for its ``simulate`` and ``sweep`` commands, and every other command (a
billing run, an EDI import) should not pay the engine's start-up (SimPy, NumPy, the processes).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from landbridge.simulation.run import SimulationResult, simulate
    from landbridge.simulation.state import AnnouncedTrain, InitialState, YardContainer

__all__ = ["AnnouncedTrain", "InitialState", "SimulationResult", "YardContainer", "simulate"]
_HOMES = {
    "SimulationResult": "landbridge.simulation.run",
    "simulate": "landbridge.simulation.run",
    "AnnouncedTrain": "landbridge.simulation.state",
    "InitialState": "landbridge.simulation.state",
    "YardContainer": "landbridge.simulation.state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
