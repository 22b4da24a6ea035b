#!/usr/bin/env bash
# `make run`: start both servers, print how to talk to the bot, and stop them on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'bash scripts/stop.sh; echo "Stopped."' EXIT INT TERM
bash scripts/serve.sh
port=${RASA_PORT:-5005}
cat <<MSG

Talk to the bot:
  - terminal:  make chat   (or: .venv/bin/python -m bot.cli --url http://localhost:$port chat)
  - REST:      curl -s localhost:$port/webhooks/rest/webhook -d '{"sender":"me","message":"how much does spravato cost?"}'
Press Ctrl-C to stop.
MSG
wait "$(cat var/run/rasa.pid)"
