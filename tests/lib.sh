# Helpers shared by the test scripts: a zaman on a free loopback port.
# Source it; needs $ZAMAN (the binary).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_port PORT — until something accepts connections (at most 10 s).
wait_for_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# start_zaman ARGS... — starts `zaman ARGS...` in the background, logging to
# $WORK/zaman.log; sets ZAMAN_PID. The caller has already chosen the port.
start_zaman() {
  "$ZAMAN" "$@" >"$WORK/zaman.log" 2>&1 &
  ZAMAN_PID=$!
}

# stop_zaman — SIGTERM, and fail unless zaman exits 0 (a graceful stop).
stop_zaman() {
  [ -n "${ZAMAN_PID:-}" ] || return 0
  kill -TERM "$ZAMAN_PID" 2>/dev/null || true
  local rc=0
  wait "$ZAMAN_PID" || rc=$?
  ZAMAN_PID=""
  if [ "$rc" != 0 ]; then
    echo "zaman exited $rc after SIGTERM; its log:" >&2
    cat "$WORK/zaman.log" >&2
    return 1
  fi
}

# write_store_config postgres|mariadb NAME FILE — the `persistence:` section
# of a config for a new database NAME on the throw-away server that the
# CTest fixture started (tests/db/ctest-fixtures.cmake sets ZAMAN_TEST_DB_DIR).
write_store_config() {
  local backend="$1" name="$2" file="$3" env="${ZAMAN_TEST_DB_DIR:?run through ctest: its fixture starts the database}/$1/env"
  [ -f "$env" ] || { echo "no $env: is the $backend fixture running?" >&2; return 1; }
  # shellcheck disable=SC1090
  source "$env"
  local p=POSTGRES driver=postgres
  [ "$backend" = mariadb ] && p=MYSQL driver=mysql
  local host_var="ZAMAN_TEST_${p}_HOST" port_var="ZAMAN_TEST_${p}_PORT" user_var="ZAMAN_TEST_${p}_USER" \
    password_var="ZAMAN_TEST_${p}_PASSWORD"
  cat >"$file" <<EOF
persistence:
  driver: $driver
  $driver:
    host: ${!host_var}
    port: ${!port_var}
    user: ${!user_var}
    password: ${!password_var}
    database: zs_$name
# A cluster host's internal ports: free ones, never the fixed defaults.
history: {port: 0}
matching: {port: 0}
worker: {port: 0}
EOF
}
