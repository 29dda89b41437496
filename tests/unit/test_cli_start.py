"""The command line starts without the twin's engine: a billing run or an EDI import should not pay
for SimPy, NumPy and the processes (about 0.3 s at every start); ``simulate`` imports them itself."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_line_does_not_import_the_engine_until_a_simulation_runs() -> None:
    probe = (
        "import sys, landbridge.cli\n"
        "engine = ('landbridge.simulation.run', 'simpy', 'landbridge.simulation.kpis')\n"
        "print(sorted(m for m in engine if m in sys.modules))\n"
        "from landbridge.simulation import simulate\n"
        "print('landbridge.simulation.run' in sys.modules, callable(simulate))\n"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert answer.stdout.splitlines() == ["[]", "True True"]
