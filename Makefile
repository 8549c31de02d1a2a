# Gonghui — two commands: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: demo test install lint contracts check pytest browser bench serve migrate lock messages clean \
	release release-check docs docs-serve county-check faults

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

## make demo: install, migrate, load the demo county (once), then run the web server
## (127.0.0.1:8000), the task worker and the scheduler together (Procfile; Ctrl-C stops all).
demo: migrate
	$(MANAGE) demo --if-empty
	$(VENV)/bin/honcho start -f Procfile

serve: migrate
	$(MANAGE) runserver 127.0.0.1:8000

lint: install contracts
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench
	$(PY) tools/spdx_headers.py --check

## make contracts: the import contracts (layers within apps, no cycle between apps, no app
## importing a sibling's internals; docs/architecture.md).
contracts: install
	PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

pytest: install
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

## make test: every check (and the docs site); non-zero on any failure. Browser tests run when Chromium is
## present and are required when GONGHUI_REQUIRE_BROWSER=1 (CI).
test: lint check pytest docs

## make faults: the fault tests (tests/faults, PostgreSQL only): kill -9 of the task worker
## during a payout batch, a PostgreSQL restart during an enrolment rush, a hanging SMS
## gateway. They restart the PostgreSQL cluster of DATABASE_URL (GONGHUI_FAULTS_PG_CLUSTER,
## default "main"), so nothing else may run against it meanwhile. Each prints what it checked.
faults: install
	$(VENV)/bin/pytest -q -s --faults tests/faults

## make bench: every benchmark; each prints its ratios and exits non-zero on a missed target
## (the enrolment rush needs PostgreSQL at 127.0.0.1:5432).
bench: install
	-$(PY) bench/import_roster.py
	-$(PY) bench/import_roster.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/member_api.py
	-$(PY) bench/demand_analysis.py
	-$(PY) bench/matching_quality.py
	-$(PY) bench/enrolment_rush.py
	-$(PY) bench/dashboard.py
	-$(PY) bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/login_timing.py
	-$(PY) bench/mutualaid_valuation.py
	-$(PY) bench/mutualaid_valuation.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/mentorship_points.py
	-$(PY) bench/mentorship_points.py --database-url postgres://postgres@127.0.0.1:5432/postgres
	-$(PY) bench/webhook_fanout.py
	-$(PY) bench/network_coverage.py
	-$(PY) bench/learning_heartbeats.py
	-$(PY) bench/learning_practice.py

messages:
	cd src/gonghui && ../../$(PY) ../../manage.py makemessages -l en --ignore "*/migrations/*" \
	  && ../../$(PY) ../../manage.py compilemessages -l en

## make docs: the documentation site (MkDocs Material) in site/, built strictly: a broken link,
## a missing anchor or a page left out of the navigation fails. Screenshots come from the
## browser tests (test-artifacts/screenshots/, made by make pytest).
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8001

## make release: dist/gonghui-VERSION.tar.gz and the wheel, built by `python -m build`, with the
## templates, the compiled catalogue and the collected static files (npm vendor files included).
VENDOR_FILES := htmx.org/dist/htmx.min.js:htmx @picocss/pico/css/pico.min.css:pico \
	echarts/dist/echarts.min.js:echarts tus-js-client/dist/tus.min.js:tus hls.js/dist/hls.min.js:hls \
	tus-js-client/dist/tus.min.js.map:tus hls.js/dist/hls.min.js.map:hls
release: install
	rm -rf dist build src/gonghui/staticfiles src/gonghui/static/vendor src/*.egg-info
	cd src/gonghui && ../../$(PY) ../../manage.py compilemessages -l en
	for f in $(VENDOR_FILES); do \
	  mkdir -p src/gonghui/static/vendor/$${f#*:} && \
	  cp node_modules/$${f%:*} src/gonghui/static/vendor/$${f#*:}/; done
	GONGHUI_ENV=production SECRET_KEY=release-build GONGHUI_DATA_KEY=release-build \
	  GONGHUI_NODE_MODULES=/nonexistent GONGHUI_STATIC_ROOT=src/gonghui/staticfiles \
	  $(MANAGE) collectstatic --noinput -v 0
	$(PY) -m build --outdir dist .
	rm -rf build src/gonghui/staticfiles src/gonghui/static/vendor src/*.egg-info
	ls -l dist

## make release-check: build the release, install the wheel in a fresh venv, migrate a fresh
## SQLite database and serve pages from it with gunicorn (tests/release/check_wheel.py).
release-check: release
	$(PY) tests/release/check_wheel.py dist

lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg_resources' > requirements.lock

clean:
	rm -rf $(VENV) node_modules var staticfiles dist site
