# Two entry points for a fresh machine: `make serve` and `make test` (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
EH := $(VENV)/bin/enforcement-helper
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: setup data serve test bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# torch first and pinned: 2.13.0 is the local CPU wheel; anything else pulls a CUDA build.
	$(PIP) torch==2.13.0
	$(PIP) -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

data: setup
	$(EH) build

serve: data
	$(EH) serve --host 127.0.0.1 --port 8000

test: data
	$(PY) -m pytest -q -p no:cacheprovider

bench: data
	$(PY) scripts/bench_verify.py
