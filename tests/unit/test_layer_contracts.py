"""The layer rules cover the whole package: a new top-level module cannot escape the domain rule.

``lint-imports`` (run by ``make test``) checks the contracts in pyproject.toml; this guards the one
thing it cannot see, a module the contract forgot to name.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import landbridge

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def _top_level_modules() -> set[str]:
    package = Path(landbridge.__file__).parent
    found = {f"landbridge.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"}
    found |= {f"landbridge.{path.name}" for path in package.iterdir() if (path / "__init__.py").is_file()}
    return found


def test_the_domain_rule_names_every_other_top_level_module() -> None:
    forbidden = set(_contracts()["domain-is-pure"]["forbidden_modules"])  # type: ignore[call-overload]
    assert forbidden == _top_level_modules() - {"landbridge.domain"}


def test_every_top_level_package_is_a_regular_package() -> None:
    """A folder without ``__init__.py`` is invisible to the import graph, so no rule would hold for it."""
    package = Path(landbridge.__file__).parent
    code_folders = {path.name for path in package.iterdir() if path.is_dir() and any(path.rglob("*.py"))}
    assert {name for name in code_folders if not (package / name / "__init__.py").is_file()} == set()
