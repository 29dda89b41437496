"""The digital twin of the base and its corridor: engine, processes, KPIs, report, sweeps."""

from landbridge.simulation.run import SimulationResult, simulate
from landbridge.simulation.state import AnnouncedTrain, InitialState, YardContainer

__all__ = ["AnnouncedTrain", "InitialState", "SimulationResult", "YardContainer", "simulate"]
