# Two commands: `make run` (set up, load the demo region into an empty database, serve the platform) and `make test` (set up and run every test).
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: run test bench setup clean

# The venv is (re)built only when a requirements file or pyproject.toml is newer than its stamp. uv (pinned in
# requirements-bootstrap.txt, installed into the venv by the venv's pip) installs the pinned set: first from its
# cache alone (--offline: under a second when an earlier install left every package there; pyspark, a source
# package, is not built again), else from the registry. If uv cannot be had, pip installs the same files.
$(STAMP): requirements.txt requirements-bootstrap.txt pyproject.toml
	python3 -m venv $(VENV)
	if $(PY) -m pip install -q -r requirements-bootstrap.txt; then \
	  { $(UV) pip install -q --python $(PY) --offline -r requirements.txt 2>/dev/null || \
	    $(UV) pip install -q --python $(PY) -r requirements.txt ; } && \
	  $(UV) pip install -q --python $(PY) --no-deps --no-build-isolation -e . ; \
	else \
	  $(PY) -m pip install -q -r requirements.txt && \
	  $(PY) -m pip install -q --no-deps --no-build-isolation -e . ; \
	fi
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/silian demo --if-empty
	$(VENV)/bin/silian serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	$(PY) benchmarks/bench_import.py

clean:
	rm -rf $(VENV) .pytest_cache
