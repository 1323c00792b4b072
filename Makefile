# The two commands README.md opens with: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test lint

$(VENV)/.installed: pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	# hanja (Korean readings of Han characters) is optional; its metadata pins
	# test tools and an old PyYAML, so it is installed without its dependencies.
	$(PY) -m pip install -q --no-deps "hanja==0.15.1"
	touch $@

# The Cython-compiled hot modules (screening/_compiled_modules.py): rebuilt whenever any
# engine source changes (a superset, so no list here can fall out of step with setup.py).
$(VENV)/.compiled: $(VENV)/.installed setup.py $(wildcard screening/*.py screening/names/*.py screening/names/*.pxd)
	$(PY) setup.py -q build_ext --inplace
	touch $@

install: $(VENV)/.compiled

run: install
	$(VENV)/bin/sanctions lists load
	$(VENV)/bin/sanctions serve --host 127.0.0.1 --port 8000 --no-auth

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -q -n 2 --dist loadfile --durations=25
