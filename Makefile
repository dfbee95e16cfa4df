# Two commands set everything up: `make run` (a demo portal on 127.0.0.1:8000) and
# `make test` (ruff and the whole suite on PostgreSQL). See README.md and docs/operations.md.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Installed once, again only when the dependency list or the build constraints change.
STAMP := $(VENV)/.installed

# Tests always run on PostgreSQL and Redis; these are this machine's defaults.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/b2b_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help
.PHONY: help install chromium run test lint check-deploy

help:
	@echo "make run           install, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test          install, ruff, then the whole test suite on PostgreSQL"
	@echo "make lint          ruff check and ruff format --check"
	@echo "make check-deploy  manage.py check --deploy with production settings (dummy env)"
	@echo "make install       create $(VENV) if missing and install the project (stamped)"
	@echo "make chromium      install Debian's Chromium for the browser tests when missing (root)"

install: $(STAMP)

# XStatic-Bootstrap ships only an sdist whose build needs setuptools<81, hence the build constraint.
$(STAMP): pyproject.toml requirements/build-constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PIP_BUILD_CONSTRAINT=requirements/build-constraints.txt $(BIN)/pip install -q -e ".[dev]"
	@touch $@

# The browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; its own
# browser builds are never downloaded (no `playwright install`). Quiet apt-get as root, the
# package lists refreshed only if the first try fails; otherwise the browser tests fail and say
# what to install.
chromium:
	@[ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || { \
		export DEBIAN_FRONTEND=noninteractive; \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get install -y -q chromium >/dev/null 2>&1 \
		|| { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; }; }
	@[ -x /usr/bin/chromium ] \
		|| echo "WARNING: /usr/bin/chromium is missing (run as root: apt-get install -y chromium); the browser tests will fail."

# Local settings: SQLite unless DATABASE_URL is exported; a Celery worker and beat when Redis
# answers, eager tasks otherwise (scripts/run_portal.sh says which).
run: install
	scripts/run_portal.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export REDIS_URL ?= $(TEST_REDIS_URL)
test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Dummy values only: the check reads settings, it does not connect to anything.
check-deploy: install
	DJANGO_SETTINGS_MODULE=b2b_portal.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/b2b_portal \
	ALLOWED_HOSTS=portal.example.com \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING
