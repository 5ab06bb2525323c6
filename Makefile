# Two commands: `make run` (the app on embedded defaults) and `make test` (lint + the whole suite).
# Lint is ruff plus bandit's static security checks (config in bandit.yaml; high severity fails).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BANDIT := $(BIN)/bandit -c bandit.yaml -r helpdesk accounts cases -lll

.PHONY: run test install install-dev lint format clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m helpdesk.devserver

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache

# Re-extract the Korean catalogue after changing strings, translate the new entries, then commit
# the .po and the compiled .mo together (the .mo is committed so a machine without gettext shows Korean).
messages: install
	$(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=test-output --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l ko --ignore=.venv
