#!/usr/bin/env bash
# `make test`: every test, in the order that fails fastest (Sara's CI order).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
start=$(date +%s)
echo "== lint";                  .venv/bin/ruff check --quiet bot actions addons scripts tests
echo "== unit and action tests"; .venv/bin/python -m pytest tests/bot tests/actions -q
echo "== rasa data validate";    .venv/bin/rasa data validate --fail-on-warnings --quiet
echo "== story tests";           .venv/bin/rasa test core --stories tests/stories --fail-on-prediction-errors \
                                   --out results/stories --quiet
bash scripts/setup_browser.sh
bash scripts/setup_services.sh
echo "== model, end-to-end and browser tests (real NLU model, both servers, headless Chromium)"
.venv/bin/python -m pytest tests/model tests/e2e -q
echo "== tracker and lock stores, scale-out and faults (SQLite, PostgreSQL, Redis, nginx from Debian's packages)"
.venv/bin/python -m pytest tests/store tests/scaleout -q
echo "All tests passed in $(( $(date +%s) - start )) s."
