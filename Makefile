# landbridge — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pgtest .mypy_cache .ruff_cache .pytest_cache
