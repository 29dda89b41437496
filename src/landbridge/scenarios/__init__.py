"""Shipped scenario data (the Lianyungang base is the default) and its validated format."""

from landbridge.scenarios.loader import ScenarioError, current_scenario, load_scenario
from landbridge.scenarios.model import Scenario

__all__ = ["Scenario", "ScenarioError", "current_scenario", "load_scenario"]
