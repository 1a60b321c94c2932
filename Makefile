# Lintas: `make run` serves the app with demo data; `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LINTAS := $(BIN)/lintas
PG_URL ?= postgres://postgres@127.0.0.1:5432/lintas
CI ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

VENDOR_STAMP := src/lintas/core/static/vendor/versions.json
VENV_STAMP := $(VENV)/.installed

.PHONY: help install frontend run test lint check-migrations check-deploy test-sqlite test-postgres test-browser fuzz bench lock messages clean

help:
	@echo "make run    - install everything, migrate, seed demo data on first run, serve on http://127.0.0.1:8000"
	@echo "make test   - lint, migration and deploy checks, tests on SQLite and PostgreSQL, browser tests"
	@echo "make fuzz   - the API fuzzing of make test, longer (EXAMPLES=300, SEED=15)"
	@echo "make bench  - benchmarks under bench/"
	@echo "make lock   - re-resolve requirements/lock.txt and dev-lock.txt from pyproject.toml"

$(VENV_STAMP): requirements/dev-lock.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/dev-lock.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

install: $(VENV_STAMP) $(VENDOR_STAMP)

$(VENDOR_STAMP): package-lock.json scripts/build-frontend.mjs
	@command -v npm >/dev/null || { echo "Node.js and npm are needed for the front-end build (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-frontend.mjs

frontend: $(VENDOR_STAMP)

run: install
	$(LINTAS) migrate --noinput -v0
	$(LINTAS) collectstatic --noinput -v0
	@if [ ! -f var/.demo-seeded ]; then LINTAS_DEMO=1 $(LINTAS) demo && touch var/.demo-seeded; fi
	LINTAS_DEMO=1 $(LINTAS) serve

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: $(VENV_STAMP)
	LINTAS_ENV=test $(LINTAS) makemigrations --check --dry-run

# Production settings with throwaway secrets: proves `check --deploy` is clean, serves nothing.
check-deploy: $(VENV_STAMP)
	LINTAS_ENV=production LINTAS_SECRET_KEY="$$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
	LINTAS_ALLOWED_HOSTS=lintas.example.org LINTAS_DATA_DIR=$$(mktemp -d) \
	LINTAS_COMMUNITY_KEY="$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
	$(LINTAS) check --deploy --fail-level WARNING

# Transactional ("serial") tests flush the database; they run after the rest, in one process.
# The schemathesis run ("fuzz") is a single-process pass too: pytest-xdist runs only the first of its items.
test-sqlite: install
	LINTAS_ENV=test $(BIN)/pytest -q -m "not browser and not postgres and not serial and not fuzz" -n 2 --dist loadfile
	LINTAS_ENV=test $(BIN)/pytest -q -m "(serial or fuzz) and not postgres"

test-postgres: install
	@if $(BIN)/python scripts/service_ready.py postgres "$(PG_URL)"; then \
	  LINTAS_ENV=test DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q -m "not browser and not serial and not fuzz" -n 2 --dist loadfile && \
	  LINTAS_ENV=test DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q -m "serial or fuzz"; \
	elif [ "$(CI)" = "true" ]; then echo "PostgreSQL is not reachable at $(PG_URL): CI must test on it"; exit 1; \
	else echo "SKIPPED: PostgreSQL not reachable at $(PG_URL). Install it (apt-get install postgresql) or set PG_URL."; fi

test-browser: install
	@if [ -x /usr/bin/chromium ]; then \
	  LINTAS_ENV=test $(BIN)/pytest -q -m browser; \
	elif [ "$(CI)" = "true" ]; then echo "Chromium is missing at /usr/bin/chromium: CI must run the browser tests"; exit 1; \
	else echo "SKIPPED: browser tests need Debian's Chromium (sudo apt-get install chromium)."; fi

test: lint check-migrations check-deploy test-sqlite test-postgres test-browser

# make test runs tests/test_fuzz_api.py (schemathesis over the OpenAPI schema) and tests/test_fuzz_ndjson.py with a
# fixed seed and few examples in both database passes; this runs them longer: make fuzz EXAMPLES=1000 SEED=7
EXAMPLES ?= 300
SEED ?= 15
fuzz: install
	LINTAS_ENV=test LINTAS_FUZZ_EXAMPLES=$(EXAMPLES) LINTAS_FUZZ_SEED=$(SEED) \
	  $(BIN)/pytest -q tests/test_fuzz_api.py tests/test_fuzz_ndjson.py

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# lock.txt: what production installs; dev-lock.txt: the same plus test and lint tools (make run / make test).
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements/lock.txt -q
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements/dev-lock.txt -q

messages: $(VENV_STAMP)
	cd src/lintas && ../../$(LINTAS) makemessages --no-obsolete --no-location -l ko -l ms -l id -l th -l vi -l en \
	  -l km -l lo -l my -l pt --ignore 'identifiers/*' && ../../$(LINTAS) compilemessages -v0

clean:
	rm -rf $(VENV) node_modules src/lintas/core/static/vendor var/static
