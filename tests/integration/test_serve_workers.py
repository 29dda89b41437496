"""`landbridge serve --workers N`: several server processes answer on one port; nonsense combinations are refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from landbridge.cli import app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_two_workers_serve_the_api(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    assert CliRunner().invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    port = _free_port()
    env = {**os.environ, "LANDBRIDGE_DATABASE_URL": url}
    command = [sys.executable, "-m", "landbridge.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen([*command, "--no-access-log"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        answers: list[int] = []
        deadline = time.monotonic() + 300  # two processes import the whole app; slow on a loaded machine
        while len(answers) < 5 and time.monotonic() < deadline and server.poll() is None:
            try:
                answers.append(httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answers == [200] * 5
        workers = [child for child in _children(server.pid) if Path(f"/proc/{child}/cmdline").exists()]
        assert len(workers) >= 2  # uvicorn's supervisor starts one process per worker
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "2 workers" in output


def test_reload_with_several_workers_is_refused() -> None:
    result = CliRunner().invoke(app, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code == 1
    assert "--workers" in result.output
