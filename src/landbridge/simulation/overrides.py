"""What-if inputs: ``--set key.path=value``, YAML patches and disruption strings.

Overrides edit a plain copy of the scenario and re-validate it through the same loader the
scenario file goes through, so an override can never produce a scenario the file could not.
List items are addressed by their ``code`` (``crossings.khorgos.trains_per_day``) or index;
``border.`` is an alias of ``crossings.``; ``twin.`` addresses :class:`TwinParameters`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from landbridge.scenarios.loader import ScenarioError, parse_scenario
from landbridge.scenarios.model import Scenario
from landbridge.simulation.params import TwinParameters

_ALIASES = {"border": "crossings"}


class OverrideError(ValueError):
    """A bad override; ``key`` names what the user typed."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``a.b.c=value``; the value is read as YAML (numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise OverrideError(text, "expected key.path=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def _step(node: Any, part: str, key: str) -> tuple[Any, Any]:
    """Return (container, address) of ``part`` inside ``node``."""
    if isinstance(node, dict):
        if part not in node:
            known = ", ".join(sorted(k for k in node if k != "sources"))
            raise OverrideError(key, f"unknown key {part!r}; known here: {known}")
        return node, part
    if isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict) and str(item.get("code")) == part:
                return node, index
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        codes = ", ".join(str(item.get("code")) for item in node if isinstance(item, dict) and "code" in item)
        raise OverrideError(key, f"no item {part!r}; known: {codes or f'indexes 0–{len(node) - 1}'}")
    raise OverrideError(key, f"{part!r} goes below a plain value")


def _set_path(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    parts[0] = _ALIASES.get(parts[0], parts[0])
    node: Any = data
    for part in parts[:-1]:
        container, address = _step(node, part, key)
        node = container[address]
    leaf = parts[-1]
    if isinstance(node, list):
        container, address = _step(node, leaf, key)
        container[address] = value
        return
    if not isinstance(node, dict):
        raise OverrideError(key, "goes below a plain value")
    if leaf not in node:
        _step(node, leaf, key)  # raises with the known keys
    node[leaf] = value
    sources = node.get("sources")
    if isinstance(sources, dict) and isinstance(value, int | float) and not isinstance(value, bool):
        sources.setdefault(leaf, "assumed (what-if override)")


def _scenario_data(scenario: Scenario) -> dict[str, Any]:
    # exclude_unset keeps the file's shape, so sources stay consistent with the fields present
    data = scenario.model_dump(mode="python", exclude_unset=True)
    full = scenario.model_dump(mode="python")
    _fill_defaults(data, full)
    return data


def _fill_defaults(data: Any, full: Any) -> None:
    """Add defaulted fields (every_weeks, per_operator…) so they can be overridden too."""
    if isinstance(data, dict) and isinstance(full, dict):
        for name, value in full.items():
            if name not in data:
                data[name] = copy.deepcopy(value)
                sources = data.get("sources")
                if isinstance(sources, dict) and isinstance(value, int | float) and not isinstance(value, bool):
                    sources.setdefault(name, "assumed (model default)")
            else:
                _fill_defaults(data[name], value)
    elif isinstance(data, list) and isinstance(full, list):
        for item, full_item in zip(data, full, strict=False):
            _fill_defaults(item, full_item)


def flatten_patch(patch: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Turn a nested YAML patch into (path, value) pairs; a list value replaces the whole list."""
    if not isinstance(patch, dict):
        if not prefix:
            raise OverrideError("(patch)", "a patch must be a mapping of keys to values")
        return [(prefix, patch)]
    pairs: list[tuple[str, Any]] = []
    for name, value in patch.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            pairs.extend(flatten_patch(value, path))
        else:
            pairs.append((path, value))
    return pairs


def read_patch(path: Path) -> list[tuple[str, Any]]:
    """Read a YAML patch file into (path, value) pairs."""
    try:
        patch = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OverrideError(str(path), f"cannot read patch: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise OverrideError(str(path), f"patch is not valid YAML: {error}") from None
    return flatten_patch(patch or {})


def apply_overrides(
    scenario: Scenario, assignments: list[tuple[str, Any]], twin: TwinParameters | None = None
) -> tuple[Scenario, TwinParameters]:
    """Apply (path, value) pairs to a scenario and the twin parameters; both re-validated."""
    twin = twin or TwinParameters()
    if not assignments:
        return scenario, twin
    data = _scenario_data(scenario)
    twin_data = twin.model_dump()
    scenario_keys: list[str] = []
    for key, value in assignments:
        if key.startswith("twin."):
            name = key.removeprefix("twin.")
            if name not in twin_data:
                raise OverrideError(key, f"unknown twin parameter; known: {', '.join(sorted(twin_data))}")
            twin_data[name] = value
        else:
            _set_path(data, key, value)
            scenario_keys.append(key)
    try:
        new_twin = TwinParameters.model_validate(twin_data)
    except ValidationError as error:
        first = error.errors()[0]
        raise OverrideError("twin." + ".".join(str(p) for p in first["loc"]), first["msg"]) from None
    try:
        new_scenario = parse_scenario(data, "override") if scenario_keys else scenario
    except ScenarioError as error:
        path, reason = error.problems[0]
        key = next((k for k in scenario_keys if path.split(".")[-1] in k), path)
        raise OverrideError(key, f"{reason} (at {path})") from None
    return new_scenario, new_twin


DisruptionKind = Literal["crossing", "crane", "track", "berth"]


@dataclass(frozen=True, slots=True)
class Disruption:
    """Something out of service from ``from_day`` to ``to_day`` (days from the start of the run)."""

    kind: DisruptionKind
    target: str
    from_day: float
    to_day: float
    count: int = 1
    direction: Literal["west", "east", "both"] = "both"


def parse_disruption(text: str, scenario: Scenario) -> Disruption:
    """Read ``crossing=khorgos,from=100,to=107`` or ``crane=rmg,count=2,from=10,to=12``."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise OverrideError(text, f"expected name=value, got {part!r}")
        fields[name.strip()] = value.strip()
    kinds = [kind for kind in ("crossing", "crane", "track", "berth") if kind in fields]
    if len(kinds) != 1:
        raise OverrideError(text, "give exactly one of crossing=, crane=, track=, berth=")
    kind: DisruptionKind = kinds[0]
    target = fields[kind]
    known = {
        "crossing": [crossing.code for crossing in scenario.crossings],
        "crane": ["rmg", "reach_stacker"],
        "track": [track.code for track in scenario.base.rail.loading_tracks],
        "berth": [berth.code for berth in scenario.port.berths if berth.purpose == "container"],
    }[kind]
    if target not in known:
        raise OverrideError(f"{kind}={target}", f"unknown {kind}; known: {', '.join(known)}")
    try:
        from_day = float(fields.get("from", "0"))
        to_day = float(fields["to"])
        count = int(fields.get("count", "1"))
    except KeyError:
        raise OverrideError(text, "missing to=DAY") from None
    except ValueError as error:
        raise OverrideError(text, f"bad number: {error}") from None
    if to_day <= from_day or from_day < 0:
        raise OverrideError(text, "need 0 <= from < to (days)")
    if count < 1:
        raise OverrideError(text, "count must be >= 1")
    direction = fields.get("direction", "both")
    if direction not in ("west", "east", "both"):
        raise OverrideError(text, "direction must be west, east or both")
    return Disruption(kind, target, from_day, to_day, count, direction)  # type: ignore[arg-type]
