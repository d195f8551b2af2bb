# Two entry points for a fresh machine: `make serve` and `make test` (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
EH := $(VENV)/bin/enforcement-helper
PIP := $(PY) -m pip install -q --disable-pip-version-check

LOCKGEN ?= /tmp/eh-lockgen

.PHONY: setup data serve test bench lock

$(VENV)/.installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	# Every package pinned by version and SHA-256 (requirements.lock), so a changed or substituted file fails the
	# install; torch is the local CPU wheel 2.13.0+cpu (any other build pulls CUDA). The project comes last, with
	# nothing resolved again.
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	touch $@

setup: $(VENV)/.installed

data: setup
	$(EH) build

serve: data
	# --dev: loopback only, with an officer key kept in data/dev_api_key (README, Security)
	$(EH) serve --dev --host 127.0.0.1 --port 8000

test: data
	$(PY) -m pytest -q -p no:cacheprovider

bench: data
	$(PY) scripts/bench_verify.py

# Re-pin after changing pyproject.toml: pins already in requirements.lock are kept, new ones added with their hashes.
lock:
	test -x $(LOCKGEN)/bin/pip-compile || (python3 -m venv $(LOCKGEN) && $(LOCKGEN)/bin/pip install -q pip-tools==7.4.1)
	head -4 requirements.lock > .lock.header
	$(LOCKGEN)/bin/pip-compile -q --no-header --generate-hashes --allow-unsafe --strip-extras --extra dev \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	cat .lock.header requirements.lock > .lock.tmp && mv .lock.tmp requirements.lock && rm .lock.header
