#!/usr/bin/env bash
# Make .venv with Python 3.10 and install the project. Safe to run again: it only reinstalls when
# pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 \
                   /usr/local/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! python=$(find_python); then
    cat >&2 <<'MSG'
Python 3.10 was not found. Rasa 3.6 needs Python 3.8-3.10 and this project uses 3.10.
Install it, then run this again, for example:
  - Debian/Ubuntu: sudo apt-get install python3.10 python3.10-venv
  - pyenv:         pyenv install 3.10 && pyenv shell 3.10
  - or point to it: PYTHON310=/path/to/python3.10 make setup
MSG
    exit 1
  fi
  echo "Using $python ($("$python" --version))"
  "$python" -m venv .venv
fi

stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "Installing the project and its dependencies into .venv (about 4 minutes the first time)..."
  .venv/bin/python -m pip install --quiet --upgrade "pip<25"
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# wordfreq's English values as a table on disk (bot/rarity.py), so that no server holds its word list in memory;
# skipped when it exists.
.venv/bin/python -m bot.rarity build >/dev/null
