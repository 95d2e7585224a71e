# Development tasks. Every target works from a fresh clone: the virtual
# environment is created on first use and reinstalled when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := KASSA_PROCESSOR=test $(BIN)/flask --app wsgi

.PHONY: demo test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Migrate instance/kassa.sqlite3 (or DATABASE_URL), seed the demo data, print
# the payment link URLs and serve on 127.0.0.1:$PORT (5000 by default).
demo: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) run --host 127.0.0.1 --port $${PORT:-5000}

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# pytest-xdist runs the tests in one worker process per CPU core.
test: lint
	$(BIN)/pytest -n auto

# Removes the environment and caches; instance/ (database, secret key, outbox) stays.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
