#!/usr/bin/env bash
# The issue's full crash-safety run of the EDIFACT importer (#20): SIGKILL at 20 points during a batch
# of 10,000 CODECO messages, restarted each time; every message applied exactly once.
# The suite runs the same test with 5 kills during 2,000 messages (tests/fault/test_edi_crash.py).
#
#   scripts/edi_crash.sh            # SQLite, and PostgreSQL when LANDBRIDGE_TEST_POSTGRES_URL is set
set -euo pipefail
cd "$(dirname "$0")/.."
export LANDBRIDGE_EDI_CRASH_KILLS="${LANDBRIDGE_EDI_CRASH_KILLS:-20}"
export LANDBRIDGE_EDI_CRASH_INTERCHANGES="${LANDBRIDGE_EDI_CRASH_INTERCHANGES:-100}"
exec .venv/bin/pytest tests/fault/test_edi_crash.py -p no:randomly --durations=0 "$@"
