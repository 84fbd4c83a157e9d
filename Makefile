# Hanout: `make run` takes a fresh clone to a running store; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install dotenv run migrate demo lint types contracts check test test-sqlite test-postgres migrations clean bench

# Labels and pick lists are drawn with Debian's DejaVu Sans (Arabic and Latin glyphs).
FONT_FILE := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

$(STAMP): pyproject.toml
	@test -f $(FONT_FILE) || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1 \
		|| { apt-get update -q >/dev/null && apt-get install -y -q fonts-dejavu-core >/dev/null; }; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# A fresh clone gets a random SECRET_KEY in .env (once; never over an existing database).
dotenv: install
	$(BIN)/python -m hanout.devkey

migrate: dotenv
	$(BIN)/hanout migrate

demo: migrate
	$(BIN)/hanout demo

run: demo
	$(BIN)/hanout run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy models webstore bot couriers notify shipping hanout i18n printing

contracts: install
	$(BIN)/lint-imports

# Each pytest-xdist worker gets its own database (a SQLite file or a fresh PostgreSQL one).
PYTEST_WORKERS ?= 3

test-sqlite: install
	HANOUT_TEST_DB=sqlite $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# The database-free tests already ran in the SQLite pass: this one keeps the others.
test-postgres: install
	HANOUT_TEST_DB=postgres HANOUT_TEST_LANE=database $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

test: lint types contracts test-sqlite test-postgres

# The fast lane while you work: every check and the SQLite suite but the slow tests
# (headless Chromium, system tests, CLI and process tests, schemathesis), which `make test` runs.
check: lint types contracts
	HANOUT_TEST_DB=sqlite $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

# Benchmarks (bench/README.md): a table on stdout, the figures in bench/results/latest.json.
# Installs Debian's wrk when missing; needs PostgreSQL like the tests. BENCH_ARGS=--quick: short.
bench: install
	@command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q wrk >/dev/null 2>&1 \
		|| { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
	$(BIN)/python -m bench $(BENCH_ARGS)

# Developers: after changing a tables module (models/*/tables.py), write the migration for both dialects.
migrations: install
	$(BIN)/python -m hanout.devtools make-migration "$(NAME)"

clean:
	rm -rf $(VENV) build *.egg-info
