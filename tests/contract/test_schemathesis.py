"""Schemathesis in the suite (issue #17): every check, every phase, a fixed seed, zero failures, on both backends.

A bounded run (a few examples per operation, about two minutes a backend) against a live uvicorn
server; the long run is ``benchmarks/schemathesis_long.py``. On a failure the assertion message is
Schemathesis's own report, with a ``curl`` line per failure to reproduce it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.fuzz import SCHEMATHESIS, run_schemathesis, served

SEED = 17
EXAMPLES_PER_OPERATION = 3


@pytest.mark.slow
def test_schemathesis_finds_no_failure(database_url: str, tmp_path: Path) -> None:
    assert SCHEMATHESIS.exists(), "schemathesis is installed with the test extras (pip install -e '.[test]')"
    with served(database_url) as (base_url, token):
        outcome = run_schemathesis(
            base_url, token, seed=SEED, max_examples=EXAMPLES_PER_OPERATION, report_dir=tmp_path / "report"
        )
    assert outcome.passed, outcome.output[-40_000:]
    assert "Failures:" not in outcome.output and " passed" in outcome.output, outcome.output[-5_000:]
