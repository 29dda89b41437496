#!/usr/bin/env bash
# Runs the whole suite the way CI and a new user do: system packages, a throwaway PostgreSQL
# cluster, then ruff, mypy, the layer contracts and pytest against SQLite and PostgreSQL. The
# cluster is always stopped.
#
# --fast (make test-fast) is the inner loop: the same checks, pytest on SQLite only, without the
# browser and without tests marked slow; no system packages, no PostgreSQL. `make test` stays the
# whole suite. Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

checks() {
  echo "== ruff"; $BIN/ruff check src tests benchmarks; $BIN/ruff format --check src tests benchmarks
  echo "== mypy"; $BIN/mypy
  echo "== layer contracts (pyproject.toml [tool.importlinter])"; $BIN/lint-imports --no-cache --no-logo
}

if [ "${1:-}" = "--fast" ]; then
  shift
  unset LANDBRIDGE_TEST_POSTGRES_URL LANDBRIDGE_REQUIRE_POSTGRES LANDBRIDGE_REQUIRE_BROWSER
  checks
  echo "== pytest (SQLite only; no browser, no slow tests)"
  exec $BIN/pytest -q -m "not postgres and not browser and not slow" "$@"
fi

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

apt_install postgresql chromium fonts-dejavu-core fonts-droid-fallback  # fonts: the invoice PDF (Cyrillic, Chinese)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

PGDIR=$(mktemp -d /tmp/landbridge-pg.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDIR"; fi
PGUSER_NAME=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)

stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop_pg EXIT

as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U "$PGUSER_NAME" -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
  start >/dev/null
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT (throwaway cluster in $PGDIR)"

export LANDBRIDGE_TEST_POSTGRES_URL="postgresql+psycopg://$PGUSER_NAME@127.0.0.1:$PGPORT/postgres"
export LANDBRIDGE_REQUIRE_POSTGRES=1
export LANDBRIDGE_REQUIRE_BROWSER=1  # Debian chromium is installed above: browser tests must run, not skip

checks
# Two pytest-xdist workers: much of the suite waits on PostgreSQL, live servers and Chromium, so two
# workers on two cores finish well before one (the fixtures name every database, port and folder per
# worker). LANDBRIDGE_TEST_WORKERS=0 runs in one process (for a debugger or -x).
WORKERS=${LANDBRIDGE_TEST_WORKERS:-2}
echo "== pytest (SQLite and PostgreSQL; $WORKERS workers)"
$BIN/pytest -q -n "$WORKERS" --durations=15 "$@"  # the slowest tests, so the `slow` marker stays true
