# Set-up and the two jobs of the README: `make run` (chat UI) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench ingest clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch first: a plain torch requirement would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's Chromium drives the browser tests (Playwright uses it; it downloads no browser of its own).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

run: $(STAMP)
	$(BIN)/briefing serve

test: $(STAMP) /usr/bin/chromium
	$(BIN)/lint-imports
	$(BIN)/python -m pytest
	$(BIN)/briefing eval --gate evals/thresholds.json

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench.py

eval: $(STAMP)
	$(BIN)/briefing eval

ingest: $(STAMP)
	$(BIN)/briefing ingest

clean:
	rm -rf $(VENV) .briefing
