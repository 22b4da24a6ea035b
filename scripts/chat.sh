#!/usr/bin/env bash
# `make chat` / `make replay FILE=...`: talk to the running bot if there is one; otherwise start it the way
# `make run` does (scripts/supervise.py; its lines go to var/log/supervisor.log, or to the terminal with VERBOSE=1)
# and stop it again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
url="http://localhost:$RASA_PORT"
up() { curl -sf "$url/webhooks/rest/health" >/dev/null 2>&1; }

if ! up; then
  mkdir -p var/log
  echo "Starting the bot (about 30 seconds)..."
  if [ -n "${VERBOSE:-}" ]; then
    .venv/bin/python -m scripts.supervise &
  else
    .venv/bin/python -m scripts.supervise >var/log/supervisor.log 2>&1 &
  fi
  supervisor=$!
  trap 'kill -TERM "$supervisor" 2>/dev/null && wait "$supervisor" 2>/dev/null' EXIT
  deadline=$(( $(date +%s) + 300 ))
  until up; do
    if ! kill -0 "$supervisor" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
      echo "The bot did not start; the last lines of var/log/supervisor.log (the servers' logs are in var/log/):" >&2
      tail -n 25 var/log/supervisor.log >&2 || true
      exit 1
    fi
    sleep 1
  done
fi
if [ "${1:-chat}" = replay ]; then
  .venv/bin/python -m bot.cli --url "$url" replay "$2"
else
  .venv/bin/python -m bot.cli --url "$url" chat
fi
