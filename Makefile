# tui-pos: two commands a newcomer needs.
#   make run   - create .venv, install, open the register on a demo store
#   make test  - create .venv, install test dependencies, run lint, types, layering and tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= var/demo.db
# make bench sizes (the issue's: 1000000 products, 2000000 sale lines; these run in minutes)
BENCH_PRODUCTS ?= 100000
BENCH_LINES ?= 400000

.PHONY: run test lint bench clean store-demo store-demo-stop

$(BIN)/python:
	$(PYTHON) scripts/make_venv.py $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# evdev builds from source (gcc + kernel headers); without them its tests are skipped.
	$(BIN)/python -m pip install --quiet -e '.[evdev]' \
		|| echo "make: evdev could not be built (no compiler?): its tests will be skipped"
	touch $@

run: $(VENV)/.installed
	$(BIN)/tui-pos demo --db $(DEMO_DB)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check tui_pos tests bench scripts
	$(BIN)/ruff format --check tui_pos tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

# A store on one machine: PostgreSQL in var/store-demo, the server, two tills in tmux.
store-demo: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[server]'
	$(BIN)/python scripts/store_demo.py start

store-demo-stop:
	$(BIN)/python scripts/store_demo.py stop

bench: $(VENV)/.installed
	$(BIN)/python bench/all.py --products $(BENCH_PRODUCTS) --lines $(BENCH_LINES)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
