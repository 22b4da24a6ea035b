#!/usr/bin/env bash
# `make test`: every test, in the order that fails fastest (Sara's CI order). Quiet by default: third-party
# deprecation warnings are filtered out (scripts/env.sh, pytest's -p no:warnings); VERBOSE=1 shows everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
# The end-to-end, scale-out and supervisor tests send hundreds of messages from 127.0.0.1: fair use (30 a minute)
# would refuse most. tests/test_channel.py tests the limit itself with a low one.
export RATE_LIMIT_PER_SENDER=100000 RATE_LIMIT_PER_ADDRESS=100000
pytest_warnings=()
[ -n "${VERBOSE:-}" ] && pytest_warnings=(-p warnings)
start=$(date +%s)
summary=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
step() {  # name, then the command; its result line (pytest's "N passed") and time are kept for the summary
  local name=$1 began result
  shift
  echo "== $name"
  began=$(date +%s)
  "$@" | tee "$out"
  result=$(grep -E '[0-9]+ (passed|failed|error)' "$out" | tail -n 1 | sed -E 's/=+//g; s/^ +| +$//g' || true)
  summary+=("$(printf '  %-40.40s %-48s %4d s' "$name" "${result:-ok}" $(( $(date +%s) - began )))")
}
step "lint" .venv/bin/ruff check --quiet bot actions addons scripts tests
step "unit, actions, channel, leak check, scripts" \
  .venv/bin/python -m pytest tests/bot tests/actions tests/test_*.py -q "${pytest_warnings[@]}"
step "rasa data validate" .venv/bin/rasa data validate --fail-on-warnings --quiet
# End to end (--e2e): each story's user text goes through the NLU (intent and entities must match), then the policies.
step "story tests" .venv/bin/rasa test core --e2e --stories tests/stories --fail-on-prediction-errors \
  --out results/stories --quiet
bash scripts/setup_browser.sh
bash scripts/setup_services.sh
step "model, end to end, browser (both servers, Chromium)" \
  .venv/bin/python -m pytest tests/model tests/e2e -q "${pytest_warnings[@]}"
step "stores, scale-out and faults (PostgreSQL, Redis, nginx)" \
  .venv/bin/python -m pytest tests/store tests/scaleout -q "${pytest_warnings[@]}"
echo
echo "All tests passed in $(( $(date +%s) - start )) s:"
printf '%s\n' "${summary[@]}"
