#!/usr/bin/env bash
# Checks throwaway.sh against real servers: for each backend, two instances at
# once (different ports), login as zaman over TCP, over verified TLS and with
# the client certificate, a restart that keeps data and port, and a stop that
# leaves no process and no listener behind. Prints the start times.
#   tests/db/selftest.sh [postgres] [mariadb]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tw=$here/throwaway.sh
work=$(mktemp -d /tmp/zaman-db-selftest.XXXXXX); chmod 755 "$work"   # postgres runs as user postgres
trap 'for d in "$work"/*/; do "$tw" stop "$(basename "$d" | cut -d- -f1)" "$d" || true; done; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# sql BACKEND DIR TLS SQL: runs SQL as zaman; TLS is plain, verify (CA and
# host name checked) or cert (also a client certificate). Prints the result.
sql() {
  local b=$1 d=$2 tls=$3 q=$4 port
  port=$(cat "$d/port")
  if [ "$b" = postgres ]; then
    local c="host=localhost hostaddr=127.0.0.1 port=$port user=zaman password=zaman dbname=zaman_test"
    case $tls in
      plain)  c+=" sslmode=disable" ;;
      verify) c+=" sslmode=verify-full sslrootcert=$d/tls/ca.pem" ;;
      cert)   c+=" sslmode=verify-ca sslrootcert=$d/tls/ca.pem sslcert=$d/tls/client.pem sslkey=$d/tls/client.key" ;;
    esac
    psql -X -Atq -c "$q" "$c"
  else
    local o=(--skip-ssl)
    case $tls in
      verify) o=(--ssl-ca="$d/tls/ca.pem" --ssl-verify-server-cert) ;;
      cert)   o=(--ssl-ca="$d/tls/ca.pem" --ssl-verify-server-cert --ssl-cert="$d/tls/client.pem" --ssl-key="$d/tls/client.key") ;;
    esac
    mariadb --no-defaults --protocol=TCP -h localhost -P "$port" -u zaman -pzaman "${o[@]}" -N -e "$q" zaman_test
  fi
}
tls_q() { if [ "$1" = postgres ]; then echo "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
          else echo "select variable_value <> '' from information_schema.session_status where variable_name = 'Ssl_version'"; fi; }

# The server's processes: the main one (its pid file) and its children.
procs() {
  local pidfile=$2/mariadb.pid pid
  [ "$1" = postgres ] && pidfile=$2/data/postmaster.pid
  pid=$(head -n 1 "$pidfile")
  echo "$pid" $(ps -o pid= --ppid "$pid")
}
alive() { [ -e /proc/"$1" ] && ! grep -qs '^State:.*Z' /proc/"$1"/status; }   # zombies are dead
listening() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" 2>/dev/null; }

backends=("$@"); [ $# -gt 0 ] || backends=(postgres mariadb)
secs() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }
for b in "${backends[@]}"; do
    a=$work/$b-a c=$work/$b-b
    t0=$(date +%s.%N); "$tw" start "$b" "$a" >/dev/null; t1=$(date +%s.%N)
    "$tw" start "$b" "$c" >/dev/null
    pa=$(cat "$a/port") pc=$(cat "$c/port")
    [ "$pa" != "$pc" ] || fail "$b: two instances on one port $pa"
    grep -q "^ZAMAN_TEST_$([ "$b" = postgres ] && echo POSTGRES || echo MYSQL)_PORT=$pa\$" "$a/env" || fail "$b: env"
    [ "$(sql "$b" "$a" plain "$(tls_q "$b")")" = "$([ "$b" = postgres ] && echo f || echo 0)" ] || fail "$b: plain login"
    [ "$(sql "$b" "$a" verify "$(tls_q "$b")")" = "$([ "$b" = postgres ] && echo t || echo 1)" ] || fail "$b: TLS login"
    sql "$b" "$a" cert "select 1" >/dev/null || fail "$b: client certificate login"
    sql "$b" "$c" verify "select 1" >/dev/null || fail "$b: second instance"
    sql "$b" "$a" plain "create table t (i int)"; sql "$b" "$a" plain "insert into t values (42)"
    sql "$b" "$a" plain "create database made_by_zaman" || fail "$b: zaman cannot create databases"
    t2=$(date +%s.%N); "$tw" restart "$b" "$a" >/dev/null; t3=$(date +%s.%N)
    [ "$(cat "$a/port")" = "$pa" ] || fail "$b: restart changed the port"
    [ "$(sql "$b" "$a" verify "select i from t")" = 42 ] || fail "$b: data lost in restart"
    for d in "$a" "$c"; do
      p=$(procs "$b" "$d"); port=$(cat "$d/port")
      "$tw" stop "$b" "$d"
      for pid in $p; do ! alive "$pid" || fail "$b: pid $pid still running after stop"; done
      ! listening "$port" || fail "$b: port $port still open after stop"
    done
    echo "$b: ok (start $(secs "$t0" "$t1") s, restart $(secs "$t2" "$t3") s, ports $pa $pc)"
done
