# The doors: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Tests run in parallel on every core (pytest-xdist); PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto
export DJANGO_SETTINGS_MODULE := enlinea.settings

.PHONY: run test test-sqlite lint format bench install install-dev clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	DEBUG=$${DEBUG:-true} DEMO_MODE=$${DEMO_MODE:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} DEMO_MODE=$${DEMO_MODE:-true} $(PY) manage.py seed_demo
	@DEBUG=$${DEBUG:-true} DEMO_MODE=$${DEMO_MODE:-true} PORT=$(PORT) scripts/serve

test: install-dev
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --check --no-cache .
	$(PY) manage.py makemigrations --check --dry-run
	scripts/with-postgres $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The suite without the browser and PostgreSQL-only tests, on the SQLite default.
test-sqlite: install-dev
	DATABASE_URL= $(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser and not postgres" $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --check --no-cache .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev
	scripts/with-postgres $(PY) -m bench

clean:
	rm -rf $(VENV) var/.pytest_cache
