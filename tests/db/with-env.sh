#!/usr/bin/env bash
# with-env.sh DIR COMMAND...: runs COMMAND with the variables of DIR/env
# (written by throwaway.sh start) exported, if that file exists. Nest it for
# both backends: with-env.sh PGDIR with-env.sh MARIADBDIR COMMAND...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR COMMAND..." >&2; exit 2; }
dir=$1; shift
if [ -f "$dir/env" ]; then set -a; . "$dir/env"; set +a; fi
exec "$@"
