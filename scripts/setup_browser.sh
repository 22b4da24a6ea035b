#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser), and the
# rasa-webchat package for the compatibility test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x /usr/bin/chromium ]; then
  :
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (sudo)..."
  sudo apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need Chromium at /usr/bin/chromium (Debian/Ubuntu: apt-get install chromium)." >&2
  exit 1
fi

# The established rasa-webchat widget (npm, pinned), to check that clinics using it can talk to this server.
# Installed from the registry at setup, never vendored; kept under var/ (git-ignored).
if [ ! -f var/npm/node_modules/rasa-webchat/lib/index.js ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "Installing rasa-webchat 1.0.1 from npm for the compatibility test..."
    mkdir -p var/npm
    npm install --silent --no-audit --no-fund --prefix var/npm rasa-webchat@1.0.1 >/dev/null
  else
    echo "npm is missing: the rasa-webchat compatibility test will fail (install Node.js and npm)." >&2
  fi
fi
