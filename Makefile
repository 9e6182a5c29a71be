# Every target creates .venv when missing and installs what it needs; only Python 3 and make are required.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
ARGS   ?=

.PHONY: serve test test-fast contract lint lint-openapi typecheck install install-test clean bench fuzz soak debian-deps \
	docs docs-serve docs-options

# Python caches compiled modules (and pytest its assertion-rewritten tests) in __pycache__/, ignored by git: a machine
# that sets PYTHONDONTWRITEBYTECODE makes every run compile the project and rewrite ~100 test modules again, which was
# 4 of make test-fast's 20 s (docs/testing.md). The targets below write the caches whatever the shell says.
unexport PYTHONDONTWRITEBYTECODE

# Services and browsers the tests start themselves (command:package). CI is a fresh Debian machine where we are root:
# `make test` installs what is missing, with a line saying so; add a pair here when a test needs another one.
DEBIAN_TEST_DEPS := redis-server:redis-server chromium:chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The first run installs for about a minute: say so, and let pip show its progress (one bar per download).
PIP_INSTALL := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "make: installing creatify-mock and its dependencies into $(VENV) (about a minute the first time)"
	$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "make: installing creatify-mock with its test tools into $(VENV) (a few minutes the first time)"
	$(PIP_INSTALL) -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

serve: $(VENV)/.installed
	$(BIN)/creatify-mock serve --host $(HOST) --port $(PORT) $(ARGS)

# The documentation site (MkDocs + Material) into site/; --strict fails on a broken link or a page not in the nav.
docs: install-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-serve: install-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# Regenerate the options reference from serve's parser and Settings (a test fails when it is out of date).
docs-options: install-test
	$(BIN)/python -m mockserver.cli_reference > docs/reference/options.md

# Style, then the architecture: the import contracts in pyproject.toml (layers, no web framework below web).
lint: install-test
	$(BIN)/ruff check mockserver contract_tests tests bench
	$(BIN)/ruff format --check mockserver contract_tests tests bench
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

# Redocly and Spectral (npm, pinned, installed into .venv/openapi-lint) on both OpenAPI documents; skips without npm.
lint-openapi: install-test
	$(BIN)/python -m tests.openapi_tools

typecheck: install-test
	$(BIN)/mypy

debian-deps:
	@missing=""; for pair in $(DEBIAN_TEST_DEPS); do command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages the tests start:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# In parallel (pytest-xdist): two workers per core (most tests spend much of their time waiting on sockets and
# subprocesses, measured in docs/testing.md); tests marked xdist_group("name") share one worker, tests marked
# serial (they bound a wall-clock time) run alone afterwards (docs/testing.md). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
FAST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
test: lint typecheck debian-deps docs
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadgroup -m "not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -q -p no:xdist -m serial $(PYTEST_ARGS)
	$(MAKE) --no-print-directory contract

# The fast layer while working: core, service, generation and validation in-process, plus quick HTTP tests, on one
# worker per core (the serial ones, which bound a wall-clock time, run in make test).
test-fast: install-test debian-deps
	$(BIN)/python -m pytest -q -n $(FAST_WORKERS) --dist loadgroup -m "not slow and not serial" -p no:schemathesis \
	  $(PYTEST_ARGS)

# The shipped contract suite; with no CONTRACT_BASE_URL it starts the embedded mock. CONTRACT_ARGS adds options.
# Its hypothesis examples come from CONTRACT_SEED (the same every run); `make contract CONTRACT_SEED=` draws new ones.
CONTRACT_SEED ?= 1
contract: install-test
	$(BIN)/python -m pytest -q --pyargs contract_tests -p contract_tests.plugin \
	  $(if $(CONTRACT_SEED),--hypothesis-seed=$(CONTRACT_SEED)) $(CONTRACT_ARGS)

# Not part of `test`: minutes of load on both cores; installs wrk (Debian) if missing, peers from npm if npm is there.
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Fresh seeds (`make test` only replays the fixed ones of tests/fuzz_seeds.txt): FUZZ_RUNS runs (default 3), each
# with a new seed it prints first, used by Schemathesis (FUZZ_EXAMPLES per operation, a FUZZ_MAX_TIME budget) and
# by hypothesis (--hypothesis-seed, profile fuzz); FUZZ_SEED=N replays one. Under the loopback-only network guard.
# A seed that finds a failure goes into tests/fuzz_seeds.txt once the failure is fixed (docs/testing.md).
FUZZ_TESTS ?= tests/test_schemathesis.py tests/test_egress_fuzz.py tests/test_fuzz_http.py tests/test_hostile_fastpath.py
fuzz: install-test
	@for run in $$(seq 1 $${FUZZ_RUNS:-3}); do \
	  seed=$${FUZZ_SEED:-$$($(BIN)/python -c 'import secrets; print(secrets.randbelow(2**31 - 1) + 1)')}; \
	  echo "fuzz run $$run of $${FUZZ_RUNS:-3}: seed $$seed (replay: make fuzz FUZZ_RUNS=1 FUZZ_SEED=$$seed)"; \
	  FUZZ_SEED=$$seed PYTHONPATH=$${FUZZ_GUARD:-../shared/guard} FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} \
	    FUZZ_MAX_TIME=$${FUZZ_MAX_TIME:-600} $(BIN)/python -m pytest -q -s --hypothesis-profile=fuzz \
	    --hypothesis-seed=$$seed $(FUZZ_TESTS) $(PYTEST_ARGS) || { echo "fuzz: seed $$seed failed"; exit 1; }; \
	done

# Minutes of mixed load plus webhooks to a receiver failing 20% of calls; RSS must level off (not part of `test`).
soak: $(VENV)/.installed
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
