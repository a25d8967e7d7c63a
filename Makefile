# Two commands do all set-up on a fresh machine (see README):
#   make demo   — create .venv, install, run `ungeforloeb demo` on the embedded SQLite default
#   make test   — create .venv, install, run ruff, mypy --strict on src/, and the whole pytest suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck pytest clean

$(STAMP): pyproject.toml $(wildcard adapters/*/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@for a in adapters/*/; do \
	  if [ -f "$$a/pyproject.toml" ]; then $(BIN)/pip install --quiet -e "$$a" || exit 1; fi; \
	done
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ungeforloeb demo --fresh

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench adapters

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
