#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/*_bench.py; do
  echo "===== $script ====="
  .venv/bin/python "$script"
done
