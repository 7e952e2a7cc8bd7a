# Two commands on a fresh machine: `make run` and `make test`.
# The first Python that runs of 3.11, 3.12 and 3.13 (pyenv shims of versions not selected do not run);
# `make run PYTHON=python3.13` picks one.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13; do $$p -c "" >/dev/null 2>&1 && { echo $$p; break; }; done)
# A second interpreter for `make test-py312` (CI): the suite without the browser and integration tests.
PYTHON312 ?= python3.12
VENV312 := .venv312
# A third for `make check-py313` (CI, where one is installed): every module compiled, Django's checks.
PYTHON313 ?= python3.13
VENV313 := .venv313
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-py312 check-py313 lint bench worker clean messages

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is required (none found; set PYTHON=...)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' || { echo "$(PYTHON) is not Python 3.11-3.13"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.installed

run: $(STAMP) node_modules/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=$(VENV312) --ignore=$(VENV313) --ignore=node_modules -v 0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	KIV_BASE_URL=$${KIV_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=$(VENV312) --ignore=$(VENV313) --ignore=node_modules -v 0
	# The fast tests on both cores; then the browser and integration tests, also on both cores but a file at a
	# time on each (they start real servers, workers and browsers of their own, on free ports and in databases
	# of their own; most of their time is spent waiting for those).
	$(BIN)/pytest -m "not integration and not browser" -n 2 --durations=20 $(PYTEST_ARGS)
	$(BIN)/pytest -m "integration or browser" -n 2 --dist loadfile --durations=20 $(PYTEST_ARGS)

# The fast tests on a second Python (CI runs this after `make test`): no browser, no real processes.
test-py312: node_modules/.installed
	test -x $(VENV312)/bin/python || $(PYTHON312) -m venv $(VENV312)
	$(VENV312)/bin/pip install --quiet -e '.[dev]'
	$(VENV312)/bin/python manage.py compilemessages --ignore=.venv --ignore=$(VENV312) --ignore=$(VENV313) --ignore=node_modules -v 0
	$(VENV312)/bin/pytest -m "not integration and not browser" -n 2 $(PYTEST_ARGS)

# Python 3.13 compiles some source that 3.11 and 3.12 accept (3.13.0 refuses a lone surrogate in a
# docstring, which it now dedents): compile every module and run Django's checks, which import the rest.
check-py313:
	test -x $(VENV313)/bin/python || $(PYTHON313) -m venv $(VENV313)
	$(VENV313)/bin/pip install --quiet -e '.[dev]'
	$(VENV313)/bin/python -c "import pathlib, sys; [compile(p.read_text('utf-8'), str(p), 'exec') for d in sys.argv[1:] for p in sorted(pathlib.Path(d).rglob('*.py'))]" assessments kiveileder tests bench deploy
	$(VENV313)/bin/python manage.py check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(STAMP)
	$(BIN)/celery -A kiveileder worker --loglevel=INFO --concurrency=1

bench: $(STAMP) node_modules/.installed
	$(BIN)/python bench/run_all.py

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=$(VENV312) --ignore=$(VENV313) --ignore=node_modules --ignore=var

clean:
	rm -rf $(VENV) $(VENV312) $(VENV313) node_modules var
