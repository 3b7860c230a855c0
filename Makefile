# The same commands for developers and CI. `make run` and `make test` bootstrap everything
# they need into .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check format clean frontend frontend-api check-frontend

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## The web frontend: `npm ci` when the lock file changed, a build when its sources changed.
NODE_MODULES := frontend/node_modules/.package-lock.json
FRONTEND_BUILD := amarcord/static/app/index.html
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html \
	frontend/vite.config.ts frontend/tsconfig.json frontend/package-lock.json

$(NODE_MODULES): frontend/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the web frontend" >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(FRONTEND_BUILD): $(NODE_MODULES) $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: $(FRONTEND_BUILD)

## Regenerate frontend/openapi.json and the TypeScript client types from the server's routes.
frontend-api: install $(NODE_MODULES)
	$(BIN)/python scripts/export_openapi.py
	cd frontend && npm run --silent generate

## Fails when the committed OpenAPI document or the types generated from it are stale.
check-frontend: install $(NODE_MODULES)
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	$(BIN)/python scripts/export_openapi.py "$$scratch/openapi.json" && \
	(cd frontend && node scripts/generate-api.mjs "$$scratch/openapi.json" "$$scratch/schema.gen.ts") && \
	for pair in "frontend/openapi.json $$scratch/openapi.json" "frontend/src/api/schema.gen.ts $$scratch/schema.gen.ts"; do \
		set -- $$pair; \
		if ! cmp -s "$$1" "$$2"; then diff -u "$$1" "$$2" | head -n 40; \
			echo "$$1 differs from what the server produces: run 'make frontend-api' and commit" >&2; exit 1; fi; \
	done
	cd frontend && npm run --silent typecheck

## Start the server on ./amarcord.db (SQLite), migrating it first.
run: install frontend
	$(BIN)/amarcord serve --migrate

## The whole test suite. SQLite always; MariaDB/PostgreSQL when
## AMARCORD_TEST_MYSQL_URL / AMARCORD_TEST_POSTGRES_URL are set.
test: install frontend
	$(BIN)/pytest $(PYTEST_ARGS)

## Formatting, lint, strict types, import layers, the database diagram is current.
check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/generate-database-diagram --check
	$(MAKE) --no-print-directory check-frontend

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
