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
