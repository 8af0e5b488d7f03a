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
echo "== bandit (findings justified in security/bandit-justifications.md) =="
"$BIN/bandit" -c pyproject.toml -r src -q >/dev/null 2>&1 || { "$BIN/bandit" -c pyproject.toml -r src -q 2>&1 | grep -v "^\[tester\]"; exit 1; }
echo "bandit: no unjustified finding"
echo "== pip-audit =="
# pip-audit asks the OSV vulnerability database about every installed package. Where it cannot be reached (no
# network, as on our build machines) the audit is reported as skipped, never passed and never failed; a finding
# fails the run. SSJ_PIP_AUDIT=0 turns it off. (The PyPI source is not used: package mirrors without PyPI's JSON
# API answer "not found" for every package, which would look like a clean audit.)
if [ "${SSJ_PIP_AUDIT:-1}" != "0" ]; then
  set +e
  audit_out=$(timeout 300 "$BIN/pip-audit" --local --skip-editable --progress-spinner off -s osv 2>&1)
  audit_rc=$?
  set -e
  if [ "$audit_rc" -eq 0 ]; then
    echo "$audit_out" | tail -3
  elif echo "$audit_out" | grep -qiE "connection|resolve|network|timed out|unreachable|max retries"; then
    echo "pip-audit: the OSV vulnerability database is unreachable (offline) — audit skipped, not passed"
  else
    echo "$audit_out"; echo "pip-audit found vulnerable packages (or failed: rc=$audit_rc)"; exit 1
  fi
else
  echo "pip-audit turned off (SSJ_PIP_AUDIT=0)"
fi

# Transactional tests (marker `serial`, set in tests/conftest.py) flush the tables when they end: they run
# in their own single-process pytest run so that they never empty a worker's seeded data under other tests.
# The browser walk-through (marker `e2e`, tests/e2e: a live server of its own) runs in scripts/e2e.sh, once, after
# the SQLite suite; the phone entry page test (marker `browser`) runs in both suites.
# -rs prints why a test was skipped (e.g. the several-servers test without Redis, the replica test without
# PostgreSQL's server programs).
run_suite() {
  local label=$1
  run_pytest "$label" -n 2 --dist loadfile -rs -m "not serial and not e2e" tests
  run_pytest "$label, transactional" -p no:xdist -rs -m "serial and not e2e" tests
}

run_suite sqlite

# Skips (exit 0, with a message) when chromium is missing and cannot be installed; fails when the walk fails.
bash scripts/e2e.sh

if "$BIN/python" scripts/pg_available.py; then
  SSJ_DB_ENGINE=postgresql SSJ_DB_NAME="ssj_ci_$$" run_suite postgresql
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432 — skipped the PostgreSQL run"
fi
