"""One way to do each thing, checked: only ``execute`` commits, and services reach repositories via the unit of work.

The dashboard (``web/``) reads through read-only sessions of its own and may build repositories on
them; a service or a route may not (it would escape the unit of work's transaction).
"""

from __future__ import annotations

import ast
from pathlib import Path

import landbridge

PACKAGE = Path(landbridge.__file__).parent


def _calls(folder: str) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                found.append((str(path.relative_to(PACKAGE)), node.lineno, name))
    return found


def test_only_execute_commits() -> None:
    """Every commit of a command is the one in ``operations.common.execute``."""
    commits = [path for folder in ("services", "api", "demo") for path, _, name in _calls(folder) if name == "commit"]
    assert commits == ["services/operations/common.py"]


def test_services_and_routes_build_no_repository() -> None:
    built = [
        f"{path}:{line} {name}"
        for folder in ("services", "api", "demo")
        for path, line, name in _calls(folder)
        if name.endswith("Repository") or name == "EventLog"
    ]
    assert built == []
