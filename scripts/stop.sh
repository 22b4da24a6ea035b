#!/usr/bin/env bash
# Stop the servers that scripts/serve.sh started.
cd "$(dirname "$0")/.."
for name in rasa actions web; do
  if [ -f "var/run/$name.pid" ]; then
    kill "$(cat "var/run/$name.pid")" 2>/dev/null || true
    rm -f "var/run/$name.pid"
  fi
done
