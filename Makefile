# Palabre: every developer entry point. Only python3 is needed on a fresh clone.
PYTHON ?= python3
PORT ?= 8080
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck widget bench clean

$(STAMP): pyproject.toml
	@echo "palabre: installing into $(VENV) (about a minute the first time)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/palabre serve --demo --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/ruff check palabre tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check palabre tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

widget:
	cd widget && npm ci --no-audit --no-fund && npm run build

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: apidocs
apidocs:
	cd apidocs && npm ci --ignore-scripts --no-audit --no-fund && npm run build
