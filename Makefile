# Every target sets up .venv first; pip runs again only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The graphql-http server audits the suite runs (Node.js and npm; the lockfile pins them).
AUDIT := tools/graphql-http/node_modules/.package-lock.json

.PHONY: install serve test lint schema lock clean

install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

serve: $(INSTALLED)
	$(BIN)/newsgraph db upgrade
	$(BIN)/newsgraph load-seed --if-enabled
	$(BIN)/newsgraph serve

$(AUDIT): tools/graphql-http/package.json tools/graphql-http/package-lock.json
	cd tools/graphql-http && npm ci --no-audit --no-fund --silent
	touch $@

# The suite in parallel (pytest-xdist): every worker makes its own databases and servers.
TEST_WORKERS ?= 2

test: $(INSTALLED) $(AUDIT)
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api db ingest newsgraph tests bench

schema: $(INSTALLED)
	$(BIN)/newsgraph export-schema

# Re-resolve dependencies to their newest allowed versions and record them.
lock: $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade -e '.[dev]'
	(echo "# Exact versions the suite last passed with; 'make lock' refreshes them."; \
	 $(BIN)/python -m pip freeze --exclude-editable | sort -f) > constraints.txt

# Caches and build output only: .venv and the database under var/ stay.
clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
