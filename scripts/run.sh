#!/usr/bin/env bash
# `make run`: start the action server, the Rasa server and the demo page and keep them running
# (scripts/supervise.py): a server that stops is started again, the others keep running; Ctrl-C stops everything.
# Settings: the environment, then .env, then .env.example (scripts/env.sh). Extra arguments go to the supervisor
# (--log-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export RASA_TELEMETRY_ENABLED=false
exec .venv/bin/python -m scripts.supervise "$@"
