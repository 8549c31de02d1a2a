# Gonghui — two commands: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: demo test install lint check pytest browser bench serve migrate lock messages clean

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(MANAGE) migrate --noinput

## make demo: install, migrate, load the demo county (once) and serve it on 127.0.0.1:8000.
demo: migrate
	$(MANAGE) demo --if-empty
	$(MANAGE) runserver 127.0.0.1:8000

serve: migrate
	$(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

pytest: install
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

## make test: every check; non-zero on any failure. Browser tests run when Chromium is
## present and are required when GONGHUI_REQUIRE_BROWSER=1 (CI).
test: lint check pytest

## make bench: every benchmark; each prints its ratios and exits non-zero on a missed target
## (the enrolment rush needs PostgreSQL at 127.0.0.1:5432).
bench: install
	-$(PY) bench/import_roster.py
	-$(PY) bench/import_roster.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/member_api.py
	-$(PY) bench/demand_analysis.py
	-$(PY) bench/enrolment_rush.py
	-$(PY) bench/dashboard.py
	-$(PY) bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/mutualaid_valuation.py
	-$(PY) bench/mutualaid_valuation.py --database-url postgres://postgres@127.0.0.1:5432/postgres

messages:
	cd src/gonghui && ../../$(MANAGE) makemessages -l en --ignore "*/migrations/*" && ../../$(MANAGE) compilemessages -l en

lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg_resources' > requirements.lock

clean:
	rm -rf $(VENV) node_modules var staticfiles
