# The two commands README.md opens with: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test lint

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/sanctions lists load
	$(VENV)/bin/sanctions serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install
	$(VENV)/bin/ruff check .
	TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -q
