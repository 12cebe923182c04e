# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo-manual
# The demo is shown as it stood on this day, so that it has a release still to come.
DEMO_TODAY ?= 2024-11-20
HOST ?= 127.0.0.1
PORT ?= 8000
ASSETS := web/static/build/app.css

.PHONY: demo test lint typecheck unit reliability assets screenshots clean

## Install, build the demo manual's repository, show its releases and serve it on the web.
demo: $(VENV)/installed $(ASSETS)
	rm -rf $(DEMO)
	$(BIN)/tracker demo --dir $(DEMO)
	$(BIN)/tracker releases --repo $(DEMO) --today $(DEMO_TODAY)
	$(BIN)/tracker serve --repo $(DEMO) --today $(DEMO_TODAY) --host $(HOST) --port $(PORT)

## Every check CI runs: lint, types and the test suite.
test: lint typecheck unit

lint: $(VENV)/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/installed
	$(BIN)/mypy

# On every core, a test file to a worker: a file's tests share its module's fixtures (one demo
# repository, one browser), and each test has folders and caches of its own and a free port
# (the browser tests' server is handed its socket; a `tracker serve` test's port is let go
# just before the service binds it, which another worker could take in between, though
# rarely).
unit: $(VENV)/installed $(ASSETS)
	$(BIN)/python -m pytest --numprocesses auto --dist loadfile

## The reliability suite, harder: 1,000 fuzzed inputs a kind; prints what it tried and what failed.
FUZZ_EXAMPLES ?= 1000
reliability: $(VENV)/installed $(ASSETS)
	mkdir -p build
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) RELIABILITY_JSON=build/reliability.json $(BIN)/python -m pytest -q -m reliability

## The README's screenshots, made anew by the browser tests.
screenshots: $(VENV)/installed $(ASSETS)
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_browser.py -k readme

## GOV.UK Frontend, compiled without GOV.UK's branding (npm, from package-lock.json).
assets: $(ASSETS)

$(ASSETS): package.json package-lock.json web/assets/app.scss
	npm ci --no-audit --no-fund --silent
	npm run --silent build

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) build node_modules web/static/build
