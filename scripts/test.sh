#!/usr/bin/env bash
# Runs every test. PostgreSQL tests run when a server answers at SILIAN_TEST_DATABASE_URL
# (default: the local server at 127.0.0.1:5432, database `test`); this script starts it if it is installed
# but not running. In CI (CI=true) a missing PostgreSQL is an error, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export SILIAN_TEST_DATABASE_URL="${SILIAN_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
bash scripts/ensure_postgres.sh || {
  if [ "${CI:-}" = "true" ]; then echo "PostgreSQL is required in CI" >&2; exit 1; fi
  echo "PostgreSQL not reachable: its tests will be skipped" >&2
  unset SILIAN_TEST_DATABASE_URL
}
# Compiled modules are kept (__pycache__, git-ignored): an environment that sets PYTHONDONTWRITEBYTECODE (as these
# machines do) would make every Python process of the run (the xdist workers, the CLI smoke tests, spawned pools,
# Spark's Python workers) compile the ~2,000 modules it imports from source again: ~10 s of CPU instead of ~3 s.
unset PYTHONDONTWRITEBYTECODE
# SILIAN_TEST_WORKERS=N runs the tests in N processes (pytest-xdist, one module per process at a time, the
# longest modules first: tests/support/schedule.py); 0: one process. Default: 2 in CI (CI=true: the machines have two cores and
# the suite is CPU-bound), else 0.
if [ "${CI:-}" = "true" ]; then default_workers=2; else default_workers=0; fi
workers=()
if [ "${SILIAN_TEST_WORKERS:-$default_workers}" != "0" ]; then
  workers=(-n "${SILIAN_TEST_WORKERS:-$default_workers}" --dist loadfile --no-loadscope-reorder)
fi
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
