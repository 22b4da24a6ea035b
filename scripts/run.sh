#!/usr/bin/env bash
# `make run`: start both servers, print how to talk to the bot, and stop them on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'bash scripts/stop.sh; echo "Stopped."' EXIT INT TERM
bash scripts/serve.sh
. scripts/env.sh
port=$RASA_PORT
cat <<MSG

Talk to the bot:
  - terminal:  make chat   (or: .venv/bin/python -m bot.cli --url http://localhost:$port chat)
  - REST:      curl -s localhost:$port/webhooks/rest/webhook -d '{"sender":"me","message":"how much does spravato cost?"}'
Press Ctrl-C to stop.
MSG
# The servers are not children of this shell (serve.sh started them), so `wait` can't be used: watch them.
while kill -0 "$(cat var/run/rasa.pid)" 2>/dev/null && kill -0 "$(cat var/run/actions.pid)" 2>/dev/null; do
  sleep 2
done
echo "A server stopped; see var/log/." >&2
exit 1
