# rampart: two commands from a fresh clone.
#   make demo   set up .venv and run the demo on localcloud
#   make test   set up .venv and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo dev test lint typecheck bench chaos venv build clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) tools/demo.py

# rampart dev: the four functions on an embedded localcloud, behind FC's HTTP trigger on 127.0.0.1:8080
dev: $(STAMP)
	bin/rampart dev

test: $(STAMP)
	PYTHONPATH=shared:. $(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check localcloud shared tests tools functions
	PYTHONPATH=shared $(PY) -m mypy

# every benchmark in one table (README "Benchmarks"); make bench QUICK=1 for a smaller smoke run
bench: $(STAMP)
	PYTHONPATH=shared:. $(PY) -m rampart_dev.bench $(if $(QUICK),--quick)

# the chaos campaign (README "Chaos campaign"): make chaos ARGS="--people 300 --seed 6 --kills 20"
chaos: $(STAMP)
	$(PY) tools/chaos.py $(ARGS)

# build/<function>/ and build/layer/python/ for `s deploy` (deploy/README.md), with bytecode compiled
# by the runtime's Python (python3.10, or 3.12: pyenv's, or pythonX.Y on the PATH; the build fails without it).
#   make build CATALOG=path/to/catalog.yaml   ship your catalog (default: the example)
#   make build PYTHON_VERSION=3.12            for the python3.12 runtime
build: $(STAMP)
	$(PY) tools/build.py $(if $(CATALOG),--catalog $(CATALOG)) $(if $(PYTHON_VERSION),--python-version $(PYTHON_VERSION))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
