"""`landbridge plan KIND --instance FILE --time-limit S --json OUT`.

Each problem package exposes ``entry.KINDS``: a mapping kind -> ``run(instance_path, time_limit_s,
seed) -> SolveResult`` and ``check(instance_path, plan_json) -> list[str]`` (violations). The CLI
runs the solver, then the independent checker, and refuses to write a plan that fails its check.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landbridge.planning.common import PlanningInputError, SolveResult, require_positive_time_limit

plan_app = typer.Typer(help="Run an optimiser on an instance file and check the plan.", no_args_is_help=True)
_console = Console(stderr=True)

# kind -> package under landbridge.planning whose entry module registers it
_PACKAGES = {
    "berth": "berth",
    "berth-tidal": "berth",
    "cranes": "cranes",
    "relocation": "yard",
    "premarshalling": "yard",
    "train": "trains",
    "silo": "silos",
}

Runner = Callable[[Path, float, int], SolveResult]
Checker = Callable[[Path, dict[str, Any]], list[str]]


def load_kind(kind: str) -> tuple[Runner, Checker]:
    """Find the solver and checker registered for a kind."""
    package = _PACKAGES.get(kind)
    if package is None:
        raise PlanningInputError("kind", f"unknown plan kind {kind!r}; choose one of {', '.join(_PACKAGES)}")
    module = importlib.import_module(f"landbridge.planning.{package}.entry")
    kinds: dict[str, tuple[Runner, Checker]] = module.KINDS
    return kinds[kind]


def _make_command(kind: str) -> None:
    @plan_app.command(kind, help=f"Solve a {kind} instance, check the plan, write plan JSON.")
    def command(
        instance: Annotated[Path, typer.Option("--instance", help="Instance file")],
        time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds")] = 10.0,
        seed: Annotated[int, typer.Option("--seed")] = 1,
        json_out: Annotated[Path | None, typer.Option("--json", help="Write the plan JSON here")] = None,
    ) -> None:
        try:
            require_positive_time_limit(time_limit)
            if not instance.is_file():
                raise PlanningInputError("instance", f"no such file: {instance}")
            run, check = load_kind(kind)
            result = run(instance, time_limit, seed)
        except PlanningInputError as error:
            _console.print(f"[red]error[/red] {error}")
            raise typer.Exit(2) from error
        plan_json = result.to_json()
        if result.objective is not None:
            violations = check(instance, plan_json)
            if violations:
                for violation in violations:
                    _console.print(f"[red]checker[/red] {violation}")
                raise typer.Exit(3)
        table = Table(title=f"{kind} plan for {result.instance}")
        for column in ("status", "objective", "bound", "runtime_s"):
            table.add_column(column)
        table.add_row(result.status.value, str(result.objective), str(result.bound), f"{result.runtime_s:.2f}")
        _console.print(table)
        text = json.dumps(plan_json, indent=2)
        if json_out is None:
            typer.echo(text)
        else:
            json_out.write_text(text + "\n", encoding="utf-8")
        if result.objective is None:
            raise typer.Exit(1)


for _kind in _PACKAGES:
    _make_command(_kind)
