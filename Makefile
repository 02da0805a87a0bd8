# Set-up and the two jobs of the README: `make run` (chat UI) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The shared data beside the checkout (real documents, SQuAD 2.0); the tests read SHARED_DATA too.
SHARED_DATA ?= ../shared
export SHARED_DATA
SQUAD ?= $(SHARED_DATA)/qa-data/squad2-dev-29.json

.PHONY: run test squad-gate indomain-gate eval bench ingest train licences clean

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

# Debian's nginx is the TLS proxy of the cross-site test (tests/test_cross_site.py; README: "Serving on a hostname").
/usr/sbin/nginx:
	@echo "Installing Debian's nginx-light for the HTTPS test ..."
	@DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light > /dev/null

# Debian's PostgreSQL 15 and HAProxy: the several-server topology of deploy/cluster.py, which the tests start
# (tests/test_database.py, tests/test_several_servers.py; README: "Running on several servers").
/usr/lib/postgresql/15/bin/initdb:
	@echo "Installing Debian's postgresql-15 for the several-server tests ..."
	@DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 > /dev/null

/usr/sbin/haproxy:
	@echo "Installing Debian's haproxy for the several-server tests ..."
	@DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy > /dev/null

# Debian's Tesseract reads scanned PDF pages (OCR); without it such pages are reported, not indexed.
/usr/bin/tesseract:
	@echo "Installing Debian's tesseract-ocr for scanned PDFs ..."
	@DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr > /dev/null

run: $(STAMP) /usr/bin/tesseract
	$(BIN)/briefing serve

test: $(STAMP) /usr/bin/chromium /usr/bin/tesseract /usr/sbin/nginx /usr/lib/postgresql/15/bin/initdb /usr/sbin/haproxy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest
	@# One gate run: the Q&A eval on the gold set, then the briefing eval on the held-out topics (the `briefing`
	@# section of the thresholds).
	$(BIN)/briefing eval --gate evals/thresholds.json
	@# The SQuAD and in-domain gates share nothing but the exported model, so they run side by side (about a minute
	@# less on 2 cores); each one's output is printed whole when it ends.
	@$(MAKE) --no-print-directory -j2 --output-sync=target squad-gate indomain-gate

# The frozen SQuAD 2.0 validation articles (never trained or tuned on), when the shared data is present; under
# CI=true, missing data fails the run instead of skipping the gate.
squad-gate:
	@if [ -f $(SQUAD) ]; then $(BIN)/briefing eval --squad validation --sample 400 --squad-data $(SQUAD) \
		--gate evals/squad-thresholds.json; \
	elif [ "$$CI" = true ]; then echo "SQuAD gate: no $(SQUAD), and CI=true requires it" >&2; exit 1; \
	else echo "SQuAD gate skipped: no $(SQUAD)"; fi

# The in-domain questions about the test documents (never trained or tuned on), asked of the whole corpus (knowledge/
# and the shared real and development documents), by stage; under CI=true, missing data fails the run.
indomain-gate:
	@if [ -d $(SHARED_DATA)/devdocs ] && [ -d $(SHARED_DATA)/realdocs ]; then $(BIN)/briefing eval --indomain --part test \
		--shared $(SHARED_DATA) --gate evals/thresholds.json; \
	elif [ "$$CI" = true ]; then echo "in-domain gate: no $(SHARED_DATA)/devdocs or realdocs, and CI=true requires them" >&2; exit 1; \
	else echo "in-domain gate skipped: no $(SHARED_DATA)/devdocs or realdocs"; fi

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/answer_latency.py
	$(BIN)/python benchmarks/lexical_backends.py
	@# Last: it exits non-zero when a target of issue 23 is missed (the figures are written either way).
	$(BIN)/python benchmarks/several_servers.py

eval: $(STAMP)
	$(BIN)/briefing eval
	$(BIN)/briefing eval --briefings

# Rebuild the answer models from the in-domain questions' train and calibration documents and the SQuAD 2.0
# split (seeded; about 7 minutes on 2 cores the first time, when the corpus and the articles are indexed).
train: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m training --squad-data $(SQUAD)

# docs/third-party-licences.md from the installed packages (pip-licenses); fails when one is not AGPL-compatible.
licences: $(STAMP)
	$(BIN)/python tools/licences.py docs/third-party-licences.md

ingest: $(STAMP)
	$(BIN)/briefing ingest

clean:
	rm -rf $(VENV) .briefing
