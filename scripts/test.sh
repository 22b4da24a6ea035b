#!/usr/bin/env bash
# `make test`: every test, in the order that fails fastest (Sara's CI order).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
start=$(date +%s)
echo "== lint";                  .venv/bin/ruff check --quiet bot actions addons scripts tests
echo "== unit and action tests, channel, leak check, scripts"
.venv/bin/python -m pytest tests/bot tests/actions tests/test_*.py -q
echo "== rasa data validate";    .venv/bin/rasa data validate --fail-on-warnings --quiet
# End to end (--e2e): each story's user text goes through the NLU (intent and entities must match), then the policies.
echo "== story tests";           .venv/bin/rasa test core --e2e --stories tests/stories --fail-on-prediction-errors \
                                   --out results/stories --quiet
bash scripts/setup_browser.sh
bash scripts/setup_services.sh
echo "== model, end-to-end and browser tests (real NLU model, both servers, headless Chromium)"
.venv/bin/python -m pytest tests/model tests/e2e -q
echo "== tracker and lock stores, scale-out and faults (SQLite, PostgreSQL, Redis, nginx from Debian's packages)"
.venv/bin/python -m pytest tests/store tests/scaleout -q
echo "All tests passed in $(( $(date +%s) - start )) s."
