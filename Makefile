# Two commands a fresh machine needs: `make demo` and `make test`.  Neither installs
# system packages: `make tools` does (the Arm cross compiler, with sudo apt-get), for
# whoever wants the Cortex-M size tests, which are skipped without it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test tools venv clean bench fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m pullback examples/pendulum.py:simulate --wrt theta omega c
	$(BIN)/python examples/demo.py

# -n 2: both cores (pytest-xdist); the suite takes about 8 minutes on 2 busy cores
test: $(STAMP)
	PULLBACK_VERIFY=1 $(BIN)/python -m pytest -q -m "not slow" -n 2

# Optional system tools (root via sudo): arm-none-eabi-gcc for tests/test_c99.py's
# Cortex-M4 builds.
tools:
	sh tools/install-arm-gcc.sh

# Benchmarks: peers are benchmark-only dependencies (pip install -e .[bench]).
bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks

# Fuzzing campaign: N random programs and their metamorphic variants on BACKENDS
# (tools/fuzz.py --help), e.g. `make fuzz N=100000`, `make fuzz N=2000 BACKENDS=python,c`,
# `make fuzz N=5000 SEED=5000 FUZZ_ARGS=--arrays`.
N ?= 1000
SEED ?= 0
BACKENDS ?= python
FUZZ_ARGS ?=
fuzz: $(STAMP)
	$(BIN)/python tools/fuzz.py $(N) --seed $(SEED) --variants all --backends $(BACKENDS) $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
