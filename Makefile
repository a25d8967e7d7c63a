# Two commands do all set-up on a fresh machine (see README):
#   make demo   — create .venv, install, run `ungeforloeb demo` on the embedded SQLite default
#   make test   — create .venv, install, run ruff, the import contracts (lint-imports), mypy --strict
#                 on src/, the documentation site's build (--strict), and the whole pytest suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck docs pytest browser clean bench bench-quick

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
	$(BIN)/ruff check $(wildcard src tests examples bench adapters)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict $(wildcard adapters/*/src)

# Headless Chromium for the HTML report's browser test (Debian packages; runs as root in CI).
# Without it the browser test skips locally and fails in CI (CI=true).
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null) || \
	  echo "chromium could not be installed: the browser test will skip (fail when CI=true)"

pytest: $(STAMP) browser
	$(BIN)/pytest -q

# The documentation site (mkdocs.yml): --strict turns a broken link, anchor or API reference into
# a failure. Written to site/ (git-ignored).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint typecheck docs pytest

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
