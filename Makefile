# landbridge — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | sha1sum | cut -c1-12)
PIP_TOOLS := pip-tools==7.7.0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint typecheck contracts lock lock-upgrade clean

# Installs exactly the locked versions (hashes checked, nothing resolved afresh), then landbridge
# itself, built by the locked hatchling: a new release of any dependency cannot change an install.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@echo "compiling the berth local search (Numba, once per install)"
	$(BIN)/python -c "from landbridge.planning.berth.local_search import ensure_compiled; ensure_compiled()"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## make run: set up, migrate, seed the Lianyungang scenario and play a demo day when the database is empty, serve on :8000
## (the dashboard opens without a login for this local look; LANDBRIDGE_OPEN_DASHBOARD=0 make run requires one)
run: export LANDBRIDGE_OPEN_DASHBOARD ?= 1
run: $(STAMP)
	$(BIN)/landbridge db upgrade
	$(BIN)/landbridge db seed --if-empty
	$(BIN)/landbridge db demo --if-empty
	$(BIN)/landbridge serve --host $(HOST) --port $(PORT)

## make test: set up, start a throwaway PostgreSQL, run ruff, mypy and pytest on SQLite and PostgreSQL
test: $(STAMP)
	bash scripts/test.sh

## make test-fast: the inner loop: ruff, mypy, layer contracts and pytest on SQLite only, without the browser and slow tests
test-fast: $(STAMP)
	bash scripts/test.sh --fast

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

## make contracts: the layer rules (pyproject.toml [tool.importlinter])
contracts: $(STAMP)
	$(BIN)/lint-imports

## make lock: refresh requirements.lock after changing dependencies in pyproject.toml (keeps other pins)
## make lock-upgrade: move every pin to the newest release allowed by pyproject.toml
LOCK_FLAGS := --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--extra test --extra bench --all-build-deps -o $(LOCK) pyproject.toml
.venv-lock/bin/pip-compile:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet $(PIP_TOOLS)

lock: .venv-lock/bin/pip-compile
	.venv-lock/bin/pip-compile --quiet $(LOCK_FLAGS)

lock-upgrade: .venv-lock/bin/pip-compile
	.venv-lock/bin/pip-compile --quiet --upgrade $(LOCK_FLAGS)

clean:
	rm -rf $(VENV) .venv-lock .pgtest .mypy_cache .ruff_cache .pytest_cache
