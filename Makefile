# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo-manual

.PHONY: demo test lint typecheck unit clean

## Install, build the demo manual's repository, and show its releases and newest newsletter.
demo: $(VENV)/installed
	rm -rf $(DEMO)
	$(BIN)/tracker demo --dir $(DEMO)
	$(BIN)/tracker releases --repo $(DEMO)
	$(BIN)/tracker newsletter --repo $(DEMO)

## Every check CI runs: lint, types and the test suite.
test: lint typecheck unit

lint: $(VENV)/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/installed
	$(BIN)/mypy

unit: $(VENV)/installed
	$(BIN)/python -m pytest

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) build
