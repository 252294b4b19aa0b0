# Descent: `make run` sets everything up and serves the site; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-sqlite test-postgres lint contracts typecheck format setup demo bench bench-load bench-fairness clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@PYBIN=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed

demo: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_demo

run: demo
	@echo "Serving Descent on http://$(HOST):$(PORT)/  (demo logins: see README.md)"
	DJANGO_DEBUG=1 $(PY) scripts/serve.py --host $(HOST) --port $(PORT)

# Production: gunicorn + supervised grading workers, DEBUG off, PostgreSQL. Needs SECRET_KEY,
# ALLOWED_HOSTS and DATABASE_URL (README, "Deploying"); SERVE_ARGS passes options, e.g. --no-web.
serve: setup
	$(PY) scripts/serve_production.py $(SERVE_ARGS)

test: setup
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$${DESCENT_TEST_POSTGRES_URL:-}" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DESCENT_TEST_POSTGRES_URL is not set: PostgreSQL run skipped (.ci/run starts a server and sets it)."; fi

test-sqlite: setup
	@echo "== test suite on SQLite =="
	SECRET_KEY=test-only-secret $(PY) -m pytest

test-postgres: setup
	@echo "== database tests on PostgreSQL =="
	SECRET_KEY=test-only-secret DATABASE_URL=$$DESCENT_TEST_POSTGRES_URL $(PY) -m pytest -m "not e2e and not own_postgres" -p no:cacheprovider tests

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory contracts
	$(MAKE) --no-print-directory typecheck

# The apps depend one way and no modules import each other in a circle (docs/architecture.md).
contracts: setup
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_import_cycles.py

typecheck: setup
	SECRET_KEY=typecheck-only-secret $(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	SECRET_KEY=bench-only-secret $(PY) benchmarks/run.py

# 200 simulated students against the production stack on PostgreSQL (started on loopback by the
# benchmark itself, on BENCH_DATABASE_URL or DESCENT_TEST_POSTGRES_URL); BENCH_ARGS passes options,
# e.g. --stack runserver (the `make run` path), --students 50, --think 5, --url URL.
bench-load: setup
	$(PY) benchmarks/load.py $(BENCH_ARGS)

# How long a second student waits behind one student's 50-submission burst (one worker).
bench-fairness: setup
	SECRET_KEY=bench-only-secret $(PY) benchmarks/run.py --only fairness

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
