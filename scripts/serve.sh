#!/usr/bin/env bash
# Start the action server and the Rasa server (REST on localhost:$RASA_PORT) in the background, wait until both
# answer, and write their PIDs to var/run/. `scripts/stop.sh` stops them. Used by `make run` and `make chat`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
mkdir -p var/run var/log

if [ ! -f models/current.tar.gz ]; then
  echo "No trained model: run 'make train' first." >&2
  exit 1
fi

# The action server on rasa-sdk alone (no Rasa, no TensorFlow in that process: scripts/action_server.py).
.venv/bin/python -m scripts.action_server --port "$ACTION_PORT" --actions actions >var/log/actions.log 2>&1 &
echo $! > var/run/actions.pid
# Rasa's HTTP API stays off unless RASA_API_TOKEN is set; then it needs that token. CORS origins from settings.
api=()
[ -n "${RASA_API_TOKEN:-}" ] && api=(--enable-api --auth-token "$RASA_API_TOKEN")
# shellcheck disable=SC2086  # CORS_ORIGINS is a space-separated list
.venv/bin/python -m scripts.rasa_server run --model models/current.tar.gz --port "$RASA_PORT" --interface "$RASA_INTERFACE" \
  --cors $CORS_ORIGINS --credentials credentials.yml --endpoints endpoints.yml "${api[@]}" \
  >var/log/rasa.log 2>&1 &
echo $! > var/run/rasa.pid
# The demo page and the widget (web/), as a clinic's site would serve them.
.venv/bin/python -m http.server "$WEB_PORT" --bind 127.0.0.1 --directory web >var/log/web.log 2>&1 &
echo $! > var/run/web.pid

wait_for() {  # url, name, pid file
  for _ in $(seq 1 180); do
    if curl -sf "$1" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$(cat "$3")" 2>/dev/null; then
      echo "The $2 stopped while starting; see var/log/." >&2; return 1
    fi
    sleep 1
  done
  echo "The $2 did not start within 3 minutes; see var/log/." >&2
  return 1
}
wait_for "http://localhost:$ACTION_PORT/health" "action server" var/run/actions.pid
wait_for "http://localhost:$RASA_PORT/webhooks/rest/health" "Rasa server" var/run/rasa.pid
echo "The bot is up: REST on http://localhost:$RASA_PORT/webhooks/rest/webhook (logs in var/log/)."
echo "Demo page with the chat widget: http://localhost:$WEB_PORT/"
