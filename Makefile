# The single entry points. `make demo` serves the site; `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup migrate messages reference demo-data demo serve test test-sqlite test-postgres lint format bench chromium clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	@$(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=var

migrate: setup
	$(PY) manage.py migrate --noinput -v 0

# Reference data and Kazakhstan's recommendations, from QADAM_DATA_DIR. Idempotent.
demo-data: migrate
	$(PY) manage.py load_reference
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_demo_admin
	$(PY) manage.py load_demo_plans
	$(PY) manage.py load_followup
	$(PY) manage.py schedule_digests
	@# Models are trained once; `qadam train` rebuilds them on demand.
	@$(PY) manage.py models | grep -q '^\*' || $(PY) manage.py train
	$(PY) manage.py label --verbosity 0
	$(PY) manage.py find_overlaps
	$(PY) manage.py indicators -v 0 import opensdg
	$(PY) manage.py indicators -v 0 import kz-stats
	$(PY) manage.py qol load-default
	$(PY) manage.py qol compute

serve:
	@echo "Qadam at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@$(PY) manage.py db_worker --queue-name '*' -v 0 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver --insecure --noreload $(HOST):$(PORT)

demo: demo-data serve

lint: setup
	$(VENV)/bin/ruff check qadam bench scripts
	$(VENV)/bin/ruff format --check qadam bench scripts
	$(VENV)/bin/mypy qadam

format: setup
	$(VENV)/bin/ruff check --fix qadam bench scripts
	$(VENV)/bin/ruff format qadam bench scripts

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test-sqlite: setup chromium
	$(PY) scripts/run_tests.py -q

test-postgres: setup
	scripts/with-postgres.sh $(PY) scripts/run_tests.py -q

test: setup chromium lint test-sqlite test-postgres

bench: migrate
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var/ .mypy_cache .ruff_cache .pytest_cache
