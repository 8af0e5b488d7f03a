#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  (apt-get update -qq && apt-get install -y -qq chromium) || { echo "chromium unavailable — e2e skipped"; exit 0; }
fi
.venv/bin/python -m pytest -m e2e tests/e2e -p no:xdist
