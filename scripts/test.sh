#!/usr/bin/env bash
# Runs lint, type checks and the whole test suite on SQLite and, where it answers, on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONHASHSEED=0

run_pytest() {
  # pytest exits 5 when it collected no test: that is a failure for us, as any non-zero code.
  local label=$1; shift
  echo "== pytest ($label) =="
  set +e
  "$BIN/python" -m pytest "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then echo "pytest ($label): no tests collected — failing"; exit 1; fi
  if [ "$rc" -ne 0 ]; then echo "pytest ($label) failed with exit code $rc"; exit "$rc"; fi
}

echo "== ruff =="
"$BIN/ruff" check src tests bench
echo "== mypy =="
"$BIN/mypy" src $(ls bench/*.py 2>/dev/null | tr "\n" " ")

run_pytest sqlite -n 2 --dist loadfile tests

if "$BIN/python" scripts/pg_available.py; then
  SSJ_DB_ENGINE=postgresql SSJ_DB_NAME="ssj_ci_$$" run_pytest postgresql -n 2 --dist loadfile tests
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432 — skipped the PostgreSQL run"
fi
