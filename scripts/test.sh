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
# SILIAN_TEST_WORKERS=N runs the tests in N processes (pytest-xdist, one module per process at a time); 0 or
# unset: one process.
workers=()
if [ "${SILIAN_TEST_WORKERS:-0}" != "0" ]; then workers=(-n "$SILIAN_TEST_WORKERS" --dist loadfile); fi
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
