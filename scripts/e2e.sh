#!/usr/bin/env bash
# The browser tests (marker e2e), driven by Playwright with Debian's chromium (never `playwright install`): the
# walk-through of tests/e2e (issue 12; a live server on a fresh database with the demo data, screenshots in
# test-results/e2e/). Run once, on SQLite, by `make test`.
#
# chromium (and a CJK font, so that the screenshots show Chinese text) is installed with apt-get when this
# machine allows it (root, or password-less sudo). Without chromium the browser tests are skipped with a message
# and exit code 0: a missing browser never fails `make test`. With chromium, any failure fails, and so does a
# run that collected no test (pytest exit code 5) or could not import Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CHROMIUM=${SSJ_E2E_CHROMIUM:-/usr/bin/chromium}

apt_install() {
  # apt_install PACKAGE...: true when installed; never fails the script.
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else return 1; fi
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "e2e: apt-get install $*"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"; } >/dev/null 2>&1
}

if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" = /usr/bin/chromium ]; then apt_install chromium fonts-noto-cjk || true; fi
  if [ ! -x "$CHROMIUM" ]; then
    echo "e2e: $CHROMIUM is not installed and could not be installed (apt-get install chromium needs root) — browser walk-through skipped"
    exit 0
  fi
fi
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt_install fonts-noto-cjk || echo "e2e: no CJK font (apt-get install fonts-noto-cjk): the screenshots will show boxes instead of Chinese"
fi
if ! "$BIN/python" -c "import playwright.sync_api" 2>/dev/null; then
  echo "e2e: chromium is installed but Playwright for Python is not importable (run make venv) — failing"
  exit 1
fi

echo "== pytest (browser walk-through, SQLite) =="
start=$(date +%s)
set +e
"$BIN/python" -m pytest -m e2e -p no:xdist -rs "$@" tests/e2e
rc=$?
set -e
echo "e2e: $(( $(date +%s) - start )) s; screenshots in test-results/e2e/"
if [ "$rc" -eq 5 ]; then echo "e2e: no tests collected — failing"; exit 1; fi
if [ "$rc" -ne 0 ]; then echo "e2e: the walk-through failed with exit code $rc"; exit "$rc"; fi
