#!/usr/bin/env bash
# `make chat` / `make replay FILE=...`: use running servers if there are any, otherwise start them and stop
# them again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
port=$RASA_PORT
if ! curl -sf "http://localhost:$port/webhooks/rest/health" >/dev/null 2>&1; then
  trap 'bash scripts/stop.sh' EXIT INT TERM
  echo "Starting the bot (about 30 seconds)..."
  bash scripts/serve.sh
fi
if [ "${1:-chat}" = replay ]; then
  .venv/bin/python -m bot.cli --url "http://localhost:$port" replay "$2"
else
  .venv/bin/python -m bot.cli --url "http://localhost:$port" chat
fi
