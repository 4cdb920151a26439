# onestop — the two commands a new user needs are `make demo` and `make test`.
# Keep this file thin: the real logic lives in scripts/ and in Python.

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
export HOST PORT PYTHON VENV

.PHONY: demo test bench lint format typecheck openapi messages venv clean help

help:
	@echo "make demo   - install, migrate, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test   - the whole suite on SQLite, then PostgreSQL (starts PostgreSQL, Redis, Chromium)"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make lint   - ruff + mypy;  make openapi - regenerate docs/openapi.yaml"

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@scripts/venv.sh
	@touch $@

demo: venv
	@scripts/demo.sh

test: venv
	@scripts/test.sh

bench: venv
	@scripts/bench.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src/onestop

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: venv
	$(VENV)/bin/python manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

messages: venv
	@scripts/messages.sh

clean:
	rm -rf $(VENV) var/test-* .pytest_cache
