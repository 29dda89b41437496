"""Shared fixtures: the default scenario, loaded once."""

from __future__ import annotations

import pytest

from landbridge.scenarios import Scenario, load_scenario


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    """The bundled Lianyungang scenario."""
    return load_scenario()
