# Settings for every script and make target: the environment first, then .env (yours, git-ignored), then
# .env.example (the committed defaults). Source it: `. scripts/env.sh`.
load_env_file() {
  local key value
  [ -f "$1" ] || return 0
  while IFS='=' read -r key value || [ -n "$key" ]; do
    [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] || continue  # comments and blank lines
    [ -n "${!key+set}" ] || export "$key=$value"
  done < "$1"
}
load_env_file .env
load_env_file .env.example
unset -f load_env_file

# Quiet by default: in a script or make target, third-party deprecation warnings are
# filtered out of what reaches the screen (bot/cli.py quiet; Rasa's own progress and warnings stay). VERBOSE=1 shows
# everything. Where stderr is a terminal or a pipe (`make test | tee log`, CI); never in an interactive shell, nor
# where stderr is a file or socket (the servers' logs, systemd's journal), which keep everything.
if [ -z "${VERBOSE:-}" ] && [[ $- != *i* ]] && { [ -t 2 ] || [ -p /dev/stderr ]; } && [ -x .venv/bin/python ] \
   && [ -f bot/cli.py ] \
   && [ -z "${BOT_QUIET_FILTER:-}" ]; then
  export BOT_QUIET_FILTER=1
  exec 2> >(.venv/bin/python -m bot.cli quiet >&2)
fi
