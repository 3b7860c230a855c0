# The same commands for developers and CI. `make run` and `make test` bootstrap everything
# they need into .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check format clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Start the server on ./amarcord.db (SQLite), migrating it first.
run: install
	$(BIN)/amarcord serve --migrate

## The whole test suite. SQLite always; MariaDB/PostgreSQL when
## AMARCORD_TEST_MYSQL_URL / AMARCORD_TEST_POSTGRES_URL are set.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## Formatting, lint, strict types, import layers, the database diagram is current.
check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/generate-database-diagram --check

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
