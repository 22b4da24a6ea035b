#!/usr/bin/env bash
# Install PostgreSQL, Redis and nginx from Debian's packages for the scale-out tests and the benchmark. The tests
# start their own servers on loopback, in temporary folders (scripts/services.py); the services the packages
# would start on their own are not needed, so they are not started here.
set -euo pipefail
packages=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
command -v redis-server >/dev/null || packages+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || packages+=(nginx-light)
[ ${#packages[@]} -eq 0 ] && exit 0
echo "Installing ${packages[*]} from Debian's packages for the scale-out tests..."
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The scale-out tests need ${packages[*]} (Debian/Ubuntu packages); install them and run again." >&2
  exit 1
fi
# policy-rc.d 101: don't start the packaged services during install (there may be no init system here).
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e $policy ] && [ "$(id -u)" = 0 ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; created_policy=1; fi
"${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
[ -n "$created_policy" ] && rm -f $policy
exit 0
