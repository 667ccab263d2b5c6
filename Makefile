# Conversations Ops: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT
SIMULATOR_PORT ?= 8001

.PHONY: run test test-fast lint serve simulator install migrate clean-venv

# The venv is rebuilt only when a requirements file changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

## run: the console on http://127.0.0.1:$(PORT)/admin/ with its task worker (Ctrl-C stops both)
run: migrate
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py sync_schedule_setup
	@# Only when running simulated (no Twilio credentials): demo senders and templates.
	@if $(BIN)/python manage.py help simulator_seed >/dev/null 2>&1; then \
		$(BIN)/python manage.py simulator_seed --if-empty; \
		echo "Simulated Twilio: act as a customer or courier phone at http://127.0.0.1:$(PORT)/simulator/"; \
	fi
	PYTHON=$(BIN)/python scripts/run_console.sh

## test: the whole suite (SQLite unless DATABASE_URL says otherwise), browser tests in Debian's Chromium,
## on TEST_WORKERS processes (pytest-xdist; docs/testing.md)
TEST_WORKERS ?= 2
test: install
	@scripts/ensure_chromium.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## test-fast: the suite without the tests marked slow (live server, fresh processes) and the browser tests,
## on two processes (pytest-xdist); `make test` still runs everything
test-fast: install
	$(BIN)/python -m pytest -m "not slow" --ignore=tests/browser -q -n 2

## lint: ruff's lint rules and its formatter, as configured in pyproject.toml (changes nothing)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## serve: the production shape on $(PORT): migrate, collectstatic, gunicorn + WhiteNoise, the django-q2
## worker as its own process (DJANGO_SETTINGS_MODULE defaults to config.settings.production; docs/deploy.md)
serve: install
	PYTHON=$(BIN)/python scripts/serve.sh

## simulator: the Twilio simulator alone on http://127.0.0.1:$(SIMULATOR_PORT) with its own database
## (simulator.sqlite3); prints its credentials and the TWILIO_* lines for a console (docs/simulator.md)
simulator: install
	PYTHON=$(BIN)/python SIMULATOR_PORT=$(SIMULATOR_PORT) scripts/run_simulator.sh

clean-venv:
	rm -rf $(VENV)
