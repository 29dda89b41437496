"""Read a scenario YAML file into a validated :class:`Scenario`, or say exactly what is wrong."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from landbridge.scenarios.model import Scenario, cross_reference_errors

DEFAULT_SCENARIO = "lianyungang"


class ScenarioError(Exception):
    """The file is not a valid scenario; ``problems`` lists (YAML path, reason) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {path}: {reason}" for path, reason in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


def _path_of(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed YAML data."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [("(top level)", "the file must contain a mapping")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = [(_path_of(item["loc"]), item["msg"]) for item in error.errors()]
        raise ScenarioError(source, problems) from None
    problems = cross_reference_errors(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load a scenario by file path, by bundled name (``lianyungang``), or the default when None."""
    if path is None or (isinstance(path, str) and "/" not in path and not path.endswith((".yaml", ".yml"))):
        return _bundled(path or DEFAULT_SCENARIO)
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(str(file_path), [("(file)", f"cannot read: {error.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(str(file_path), [("(file)", f"not valid YAML: {error}")]) from None
    return parse_scenario(data, str(file_path))


@cache
def _bundled(name: str) -> Scenario:
    resource = resources.files("landbridge.scenarios").joinpath(f"{name}.yaml")
    if not resource.is_file():
        raise ScenarioError(name, [("(name)", f"no bundled scenario called {name!r}")])
    data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    return parse_scenario(data, f"{name}.yaml")


def current_scenario() -> Scenario:
    """The scenario this installation runs on: ``LANDBRIDGE_SCENARIO`` (a bundled name or a file), else the default.

    The one answer the seed, the dashboard, the demo day and live planning all take, so they never
    disagree about which base they describe.
    """
    from landbridge.config import get_settings

    return _configured(get_settings().scenario)


@cache
def _configured(name: str) -> Scenario:
    # A file is read once per process: pages ask for the scenario on every request.
    return load_scenario(name)


def bundled_scenario_path(name: str = DEFAULT_SCENARIO) -> Path:
    """Filesystem path of a bundled scenario file (for messages and copying)."""
    return Path(str(resources.files("landbridge.scenarios").joinpath(f"{name}.yaml")))
