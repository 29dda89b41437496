"""Shipped scenario data (the Lianyungang base is the default) and its validated format."""

from landbridge.scenarios.loader import ScenarioError, load_scenario
from landbridge.scenarios.model import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
