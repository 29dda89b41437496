#!/bin/sh
# The dispatcher's property test, long run: 5,000 random states (the suite runs 100).
# Usage: scripts/dispatch_property.sh [extra pytest arguments]
set -e
cd "$(dirname "$0")/.."
LANDBRIDGE_HYPOTHESIS=slow exec .venv/bin/pytest tests/planning/test_dispatch.py \
  -k test_the_checker_accepts_every_plan_and_every_next_job -p no:cacheprovider --hypothesis-show-statistics "$@"
