# Jildi — the make targets are the interface: run, test, lint, vendor.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
DB_NAME ?= jildi
PGHOST  ?= 127.0.0.1
PGPORT  ?= 5432
HOST    ?= 127.0.0.1
PORT    ?= 8000

# Development-only environment for `make run` (never used in production).
RUN_ENV := DEBUG=1 SECRET_KEY=dev-insecure-make-run-only \
	DJANGO_SETTINGS_MODULE=portal.settings.base \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	DATABASE_URL=postgres://postgres@$(PGHOST):$(PGPORT)/$(DB_NAME)

# Bootstrap Icons inlined by {% icon %} (accounts/templatetags/jildi_icons.py); add names as needed.
ICONS := camera camera-fill upload image clock clock-history shield-lock shield-check translate \
	folder2-open book gear sun-fill moon-stars-fill circle-half check2 check-circle-fill \
	exclamation-triangle-fill exclamation-octagon-fill info-circle-fill x-circle-fill person-circle \
	box-arrow-right heart-pulse clipboard2-pulse trash arrow-repeat eye search hourglass-split \
	journal-medical chat-left-text lock envelope person-badge list-check

# PDF reports (WeasyPrint): Pango/HarfBuzz, fonts with Arabic glyphs; pdftotext for the tests.
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core poppler-utils

.PHONY: help run test test-fast lint format vendor venv system-deps services database messages setup-common bench

help:
	@echo "make run     - set everything up and start web + Celery worker + beat on http://$(HOST):$(PORT)/"
	@echo "make test    - set up and run the whole test suite (pytest, browser tests included)"
	@echo "make test-fast - the quick loop: no browser, integration or slow tests (~1.5 min on 2 cores)"
	@echo "make lint    - ruff check + ruff format --check + mypy (pyproject.toml [tool.mypy])"
	@echo "make vendor  - npm ci and copy front-end libraries into static/vendor/"
	@echo "make bench   - benchmarks vs the seed-style baseline (< 15 min); writes bench/results/<date>.json"

# --- setup pieces --------------------------------------------------------------

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	test -x /usr/bin/chromium || missing="$$missing chromium chromium-driver"; \
	for pkg in $(REPORT_DEBS); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo ">> installing system packages:$$missing"; \
	    apt-get update && apt-get install -y --no-install-recommends gettext chromium chromium-driver $(REPORT_DEBS); \
	  else \
	    echo "ERROR: missing system packages:$$missing. Install them with: sudo apt-get install -y gettext chromium chromium-driver $(REPORT_DEBS)" >&2; \
	    exit 1; \
	  fi; \
	fi

services:
	@if ! pg_isready -q -h $(PGHOST) -p $(PGPORT); then \
	  echo ">> PostgreSQL not reachable on $(PGHOST):$(PGPORT); starting it"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
	  for i in $$(seq 1 20); do pg_isready -q -h $(PGHOST) -p $(PGPORT) && break; sleep 0.5; done; \
	  pg_isready -q -h $(PGHOST) -p $(PGPORT) || { echo "ERROR: PostgreSQL is not reachable on $(PGHOST):$(PGPORT) and could not be started." >&2; exit 1; }; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  echo ">> Redis not reachable on 127.0.0.1:6379; starting it"; \
	  mkdir -p /var/lib/redis /var/log/redis; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true; \
	  for i in $$(seq 1 20); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	  redis-cli ping >/dev/null 2>&1 || { echo "ERROR: Redis is not reachable on 127.0.0.1:6379 and could not be started." >&2; exit 1; }; \
	fi

database: services
	@if ! psql -h $(PGHOST) -p $(PGPORT) -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(DB_NAME)'" | grep -q 1; then \
	  echo ">> creating database $(DB_NAME)"; \
	  psql -h $(PGHOST) -p $(PGPORT) -U postgres -c "CREATE DATABASE $(DB_NAME)"; \
	fi

messages: venv system-deps
	$(PY) manage.py compilemessages -v 0 -i "$(VENV)" -i node_modules

setup-common: venv system-deps database messages

# --- the interface ----------------------------------------------------------------

run: setup-common
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@if $(RUN_ENV) $(PY) manage.py help seed_diseases >/dev/null 2>&1; then \
	  $(RUN_ENV) $(PY) manage.py seed_diseases; fi
	@echo
	@echo "  Jildi is starting on  http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password jildi-demo-2026): patient@jildi.local, clinician@jildi.local, admin@jildi.local"
	@echo "  Clinician/admin two-factor code: DEBUG=1 .venv/bin/python manage.py demo_totp_code (TOTP secret JILDIDEMOSTAFFTOTPJILDIDEMOSTAFF)"
	@echo "  Sign-up verification and password-reset codes"
	@echo "  are printed in this terminal (console email backend)."
	@echo "  Press Ctrl-C to stop the web server, worker and beat."
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	export $(RUN_ENV); \
	$(VENV)/bin/celery -A portal worker -Q inference,default --concurrency 2 --loglevel INFO & \
	$(VENV)/bin/celery -A portal beat --loglevel INFO --schedule $${TMPDIR:-/tmp}/jildi-celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT) & \
	wait

test: setup-common
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest

# The quick loop while coding: no browser, no real worker/SMTP, nothing slow; two processes.
# (Not --reuse-db: transactional tests flush the groups that data migrations create.)
test-fast: venv services messages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -q -n 2 -m "not browser and not integration and not slow"

# Benchmarks: micro (model step, 12-MP decode) + end-to-end load on a throw-away database
# (jildi_bench, dropped afterwards) against the seed-style Flask baseline. BENCH_ARGS=--quick for a smoke run.
bench: venv database
	$(PY) -m bench.run $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

vendor:
	npm ci --no-audit --no-fund
	rm -rf static/vendor
	mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/htmx static/vendor/noto-sans-arabic/files
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css static/vendor/bootstrap/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/js/
	cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/LICENSE
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	mkdir -p static/vendor/bootstrap-icons
	for icon in $(ICONS); do cp node_modules/bootstrap-icons/icons/$$icon.svg static/vendor/bootstrap-icons/; done
	cp node_modules/bootstrap-icons/LICENSE static/vendor/bootstrap-icons/LICENSE
	cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE
	mkdir -p static/vendor/cropperjs
	cp node_modules/cropperjs/dist/cropper.min.js node_modules/cropperjs/dist/cropper.min.css node_modules/cropperjs/LICENSE static/vendor/cropperjs/
	cp node_modules/@fontsource/noto-sans-arabic/400.css node_modules/@fontsource/noto-sans-arabic/700.css static/vendor/noto-sans-arabic/
	cp node_modules/@fontsource/noto-sans-arabic/LICENSE static/vendor/noto-sans-arabic/LICENSE
	cp node_modules/@fontsource/noto-sans-arabic/files/*-{400,700}-normal.woff* static/vendor/noto-sans-arabic/files/
	# Source maps are not vendored; drop their references so hashed static storage works.
	sed -i '/sourceMappingURL=/d' static/vendor/bootstrap/css/*.css static/vendor/bootstrap/js/*.js static/vendor/htmx/*.js static/vendor/cropperjs/*.js static/vendor/cropperjs/*.css
