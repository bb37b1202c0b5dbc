# InterviewPrep: `make run` to try it, `make test` to check it. See README.md.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MANAGE := $(PY) manage.py

# The first Python >= 3.12 found: pyenv's choice for this folder (.python-version), then python3.13, python3.12, python3.
define find_python
for candidate in "$$(command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null)" python3.13 python3.12 python3; do \
  [ -n "$$candidate" ] || continue; \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help run test lint check pytest e2e serve superuser seed bench bench-cohort eval scale-test clean

help:
	@echo "make run        create .venv, install, migrate, seed the questions and serve on http://127.0.0.1:$(PORT), with a task worker"
	@echo "make test       install the development tools and run every check and test"
	@echo "make lint       ruff only"
	@echo "make e2e        only the end-to-end browser tests"
	@echo "make serve      run under gunicorn as production does, with WORKERS task workers (needs DJANGO_SECRET_KEY and DJANGO_EMAIL_HOST)"
	@echo "make superuser  create an admin account"
	@echo "make bench      measure page times and requests per second on a large generated data set"
	@echo "make bench-cohort  how many users one node serves starting an interview at once (needs DATABASE_URL)"
	@echo "make eval       measure the key-point suggestions on the labelled answers"
	@echo "make scale-test two nodes behind HAProxy on PostgreSQL (DATABASE_URL), Redis and a bucket; one killed"

$(VENV)/.python:
	@python=$$($(find_python)) || { \
	  echo "InterviewPrep needs Python 3.12 or newer, and none was found."; \
	  echo "Install Python 3.13 (for example 'pyenv install 3.13' or your system's python3.13 package) and run make again."; \
	  exit 1; }; \
	echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	"$$python" -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip && touch $@

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt | $(VENV)/.python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/.python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# One task worker runs beside the development server; Ctrl+C stops both.
run: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) seed_questions
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-True}; \
	$(MANAGE) run_worker --verbosity 0 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

seed: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) seed_questions

superuser: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) createsuperuser

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=interviewprep.settings_test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=interviewprep.settings_test $(MANAGE) makemigrations --check --dry-run

pytest: $(VENV)/.installed-dev
	$(VENV)/bin/pytest

test: lint check pytest

e2e: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -m browser

# No control socket: gunicorn's default one ($$HOME/.gunicorn/gunicorn.ctl) is shared by every
# instance run by the same user, and nothing here uses it.
serve: $(VENV)/.installed
	@[ -n "$$DJANGO_SECRET_KEY" ] || { echo "Set DJANGO_SECRET_KEY first (see README.md, 'Running in production')."; exit 1; }
	DJANGO_DEBUG=False $(MANAGE) collectstatic --no-input --verbosity 0
	DJANGO_DEBUG=False $(MANAGE) migrate --no-input
	DJANGO_DEBUG=False $(MANAGE) seed_questions
	@export DJANGO_DEBUG=False; workers=""; \
	for n in $$(seq 1 $${WORKERS:-1}); do $(MANAGE) run_worker & workers="$$workers $$!"; done; \
	trap 'kill -TERM $$workers 2>/dev/null; wait $$workers 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn interviewprep.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile - --no-control-socket

# wrk (Debian's package) loads the pages under gunicorn; installed here when missing.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk from Debian's packages"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >/dev/null 2>&1 \
	  || { echo "make bench needs wrk and could not install it: run 'sudo apt-get install wrk' and try again."; exit 1; }; }
	$(PY) -m tests.bench.run

# N users start the same interview within 10 s and autosave every 5 s, for growing N; the
# figures go to bench-data/cohort.json. COHORT_ARGS="--target URL --database-url URL" loads
# a server already running (two nodes behind a load balancer, say) instead of one started here.
bench-cohort: $(VENV)/.installed-dev
	@[ -n "$$DATABASE_URL" ] || { echo "Set DATABASE_URL to a PostgreSQL server first."; exit 1; }
	$(PY) -m tests.bench.cohort --json bench-data/cohort.json $(COHORT_ARGS)

# Two `make serve`-style nodes behind HAProxy (Debian's package, installed here when missing),
# sharing PostgreSQL (DATABASE_URL), Redis (INTERVIEWPREP_TEST_REDIS_URL) and a moto bucket;
# one is killed with SIGKILL in the middle of 20 interviews. A few minutes at most.
scale-test: $(VENV)/.installed-dev
	@command -v haproxy >/dev/null 2>&1 || { \
	  echo "Installing HAProxy from Debian's packages"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -qq haproxy || { apt-get update -qq && apt-get install -y -qq haproxy; }; } >/dev/null 2>&1 \
	  || { echo "make scale-test needs HAProxy and could not install it: run 'sudo apt-get install haproxy' and try again."; exit 1; }; }
	$(PY) -m tests.load.two_nodes

eval: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-True} $(MANAGE) evaluate_key_points

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
