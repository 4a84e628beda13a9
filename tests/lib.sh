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
