# Set-up and the two jobs of the README: `make run` (chat UI) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench ingest clean

# pip's own notices (index locations, build-backend advice) go to $(VENV)/setup.log; on failure it is shown.
QUIET_PIP = >> $(VENV)/setup.log 2>&1 || { cat $(VENV)/setup.log; exit 1; }

$(STAMP): pyproject.toml setup.py
	@echo "Setting up $(VENV) (a few minutes the first time; details in $(VENV)/setup.log) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip $(QUIET_PIP)
	@# The CPU build of torch first: a plain torch requirement would pull a multi-GB CUDA build.
	@$(BIN)/python -m pip install --quiet torch==2.13.0 $(QUIET_PIP)
	@$(BIN)/python -m pip install --quiet -e '.[test]' $(QUIET_PIP)
	@touch $(STAMP)

# Debian's Chromium drives the browser tests (Playwright uses it; it downloads no browser of its own).
/usr/bin/chromium:
	@echo "Installing Debian's chromium for the browser test ..."
	@DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

run: $(STAMP)
	$(BIN)/briefing serve

test: $(STAMP) /usr/bin/chromium
	$(BIN)/lint-imports
	$(BIN)/python -m pytest
	@# One gate run: the Q&A eval on the gold set, then the briefing eval (the `briefing` section of the thresholds).
	$(BIN)/briefing eval --gate evals/thresholds.json

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench.py

eval: $(STAMP)
	$(BIN)/briefing eval
	$(BIN)/briefing eval --briefings

ingest: $(STAMP)
	$(BIN)/briefing ingest

clean:
	rm -rf $(VENV) .briefing
