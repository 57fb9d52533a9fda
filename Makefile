SHELL := /bin/bash
# Two entry points, both usable on a fresh machine with Python >= 3.10 and git:
#   make table1   set up .venv and regenerate Table 1 at the small scale (embedded synthetic data, CPU)
#   make test     set up .venv, check the package is exactly what the notebooks export, run all tests
#   make lock     after a deliberate upgrade: reinstall without pins, run the tests, rewrite constraints.txt
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
# The exact versions of the tested set (Python 3.11, Linux x86-64). Pins of packages that a platform does not need
# (the CUDA libraries on macOS) are ignored there; on a Python without wheels for a pin, install without them:
# `make install CONSTRAINTS=`.
CONSTRAINTS ?= constraints.txt

.PHONY: install test sync-check nbtest pytest table1 clean-runs lock

$(BIN)/.installed: settings.ini setup.py $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Refresh the pins: a new .venv with the newest versions that settings.ini allows, the whole test suite on it,
# and only then the new constraints.txt (commit it with the test log's summary).
lock:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(BIN)/.installed
	$(MAKE) test CONSTRAINTS=
	{ echo "# The tested set: written by 'make lock' ($$($(BIN)/python -c 'import platform; print(platform.python_version(), platform.system(), platform.machine())')), applied by 'make install'."; \
	  $(BIN)/python -m pip freeze --all --exclude-editable; } > constraints.txt
	touch $(BIN)/.installed

# nbdev_export and nbdev_clean must change nothing: the package is what the notebooks export, and the
# notebooks are stored clean. Compared by content hash, so it works on a dirty working tree too.
sync-check: install
	@snapshot() { find adios_nb nbs -type f -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs sha1sum; }; \
	before=$$(snapshot); \
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean; \
	after=$$(snapshot); \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_export / nbdev_clean changed these files (export and clean the notebooks, then commit):"; \
	  diff <(echo "$$before") <(echo "$$after") | sed -n 's/^> [0-9a-f]*  /  /p'; exit 1; \
	else echo "sync-check: nbdev_export and nbdev_clean change nothing"; fi

# One OpenMP thread per process: nbdev_test runs two notebooks at once on two cores, and oversubscribed
# OpenMP threads spin-wait (a ResNet step measured 50x slower with 2 threads each under load).
nbtest: install
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2

pytest: install
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q tests

test: sync-check nbtest pytest

table1: install
	mkdir -p results/table1
	$(BIN)/papermill nbs/reproduce_table1.ipynb results/table1/reproduce_table1.ipynb \
	  -f nbs/params/table1_small.yaml --cwd nbs --log-output

clean-runs:
	rm -rf results/runs
