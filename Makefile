# One entry point for setting up, running, testing, linting and benchmarking.
# The virtual environment lives in .venv and is rebuilt when pyproject.toml changes.

PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run serve test test-server test-app test-ui test-webengine test-e2e lint format bench bundle package package-check clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or 3.13 is needed (python3.12 or python3.13 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Open the office console on the embedded local workspace.
run: setup
	$(BIN)/portal-console

## Run the portal server alone on a seeded local demo workspace.
serve: setup
	$(BIN)/python -m server.cli local

## Every test: server (SQLite and PostgreSQL), console core, console UI, WebEngine preview, real browser.
## With no PostgreSQL configured or answering on 127.0.0.1:5432, the tests start a throw-away
## one from the installed server binaries (tests/support/pg_cluster.py).
## WebEngine tests run in a pytest process of their own, and only when some test carries the
## marker: until then the line says there are none instead of reporting an empty run as a pass.
PYTEST := $(BIN)/python -m pytest

test: setup
	$(PYTEST) tests/server tests/app tests/packaging
	$(PYTEST) tests/ui -m "not webengine"
	@if grep -rqs --include='*.py' 'mark\.webengine' tests; then \
		echo "$(PYTEST) tests -m webengine"; $(PYTEST) tests -m webengine; \
	else echo "No WebEngine tests yet: nothing to run for QtWebEngine."; fi
	$(PYTEST) tests/e2e

test-server: setup
	$(BIN)/python -m pytest tests/server

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app server ui

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks print each figure as a ratio against a baseline measured in the same run.
bench: setup
	$(BIN)/python -m tests.benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info

## While no release has shipped, the schema is one migration: regenerate it from the models.
migration-reset: setup
	rm -f server/migrations/versions/*.py
	rm -rf .migration-tmp && mkdir .migration-tmp
	$(BIN)/python -c "from server.db.engine import make_engine; from server.db import migrate; \
	migrate.revision(make_engine('sqlite:///.migration-tmp/x.db'), 'initial schema')"
	rm -rf .migration-tmp

## A one-folder desktop bundle of the console (with the embedded server) in dist/, and an
## archive of it to hand to users.
package: bundle
	$(BIN)/python packaging/archive.py

## The one-folder bundle alone (PyInstaller); the check needs no archive, which takes as long
## again to compress.
bundle: setup
	$(BIN)/python -m pip install -q "pyinstaller>=6.10"
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/toolbag-portal.spec

## Build the bundle, then start it as a user would (empty home folders, under Xvfb) and check
## it seeds the local workspace, lists customers, opens every panel, quits and leaves nothing.
package-check: bundle
	$(PYTEST) tests/bundle
