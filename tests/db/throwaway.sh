#!/usr/bin/env bash
# Throw-away PostgreSQL and MariaDB servers for the tests.
#
#   throwaway.sh start   postgres|mariadb DIR   # fresh data directory in DIR, free loopback port
#   throwaway.sh stop    postgres|mariadb DIR   # fast shutdown; the data stays until the next start
#   throwaway.sh restart postgres|mariadb DIR   # stop, then start the same data on the same port
#
# start wipes DIR (only a DIR this script made, or an empty one), generates a
# CA and a server and client certificate in DIR/tls, initialises a data
# directory, starts the server on 127.0.0.1 only, creates user zaman (password
# zaman, may create databases) and database zaman_test, waits until zaman can
# log in over TCP, writes DIR/env (shell assignments, see write_env) and prints
# the port. No system service, system configuration file or fixed port is used:
# servers run with --no-defaults / their own config, clients connect by
# explicit host and port.
#
# As root, postgres runs as the system user `postgres` (it refuses root; DIR's
# parents must be searchable by that user) and mariadbd as root (--user=root).
# As any other user both run as that user.
set -euo pipefail

usage() { echo "usage: $0 start|stop|restart postgres|mariadb DIR" >&2; exit 2; }
[ $# -eq 3 ] || usage
cmd=$1 backend=$2
case $cmd in start|stop|restart) ;; *) usage ;; esac
case $backend in postgres|mariadb) ;; *) usage ;; esac
dir=$(realpath -m -- "$3")
case $dir in *[[:space:]\'\"\$\`\\]*) echo "DIR must not contain spaces or quotes: $dir" >&2; exit 2 ;; esac

MARKER=$dir/.zaman-throwaway     # proves DIR is ours to wipe
data=$dir/data
log=$dir/$backend.log
root=false; [ "$(id -u)" = 0 ] && root=true

say() { echo "throwaway[$backend]: $*" >&2; }
die() { say "$*"; [ -f "$log" ] && tail -n 30 "$log" >&2; exit 1; }

# A port nobody listens on now: let the kernel pick one.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Is process $1 running (a zombie is not)?
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# Waits (up to $2 seconds) until the command "$3..." succeeds; fails early if
# process $1 dies.
wait_until() {
  local pid=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ -z "$pid" ] || alive "$pid" || return 1
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# Waits until process $1 has exited (up to $2 seconds), then kills it hard.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while alive "$pid"; do
    if [ $SECONDS -ge $deadline ]; then say "pid $pid did not stop, killing"; kill -9 "$pid" 2>/dev/null || true; sleep 0.2; fi
    sleep 0.1
  done
}

# CA, server certificate (localhost, 127.0.0.1) and client certificate (CN zaman);
# ECDSA P-256 keys, which take milliseconds to make (RSA takes about 0.5 s each).
make_tls() {
  mkdir -p "$dir/tls" && cd "$dir/tls"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=Zaman test CA" -keyout ca.key -out ca.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  cert server localhost 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
  cert client zaman 'extendedKeyUsage=clientAuth'
  chmod 600 ./*.key
  cd "$dir"
}
cert() {   # NAME CN EXTENSIONS: NAME.key and NAME.pem signed by the CA
  openssl req "${ec[@]}" -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl x509 -req -days 3650 -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
    -extfile <(printf "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n$3\n") 2>/dev/null
  rm -f "$1.csr"
}

# DIR/env: what the tests read. P is POSTGRES or MYSQL.
write_env() {
  local P=$1 port=$2
  cat >"$dir/env.tmp" <<EOF
ZAMAN_TEST_${P}_HOST=127.0.0.1
ZAMAN_TEST_${P}_PORT=$port
ZAMAN_TEST_${P}_USER=zaman
ZAMAN_TEST_${P}_PASSWORD=zaman
ZAMAN_TEST_${P}_DATABASE=zaman_test
ZAMAN_TEST_${P}_CA=$dir/tls/ca.pem
ZAMAN_TEST_${P}_CLIENT_CERT=$dir/tls/client.pem
ZAMAN_TEST_${P}_CLIENT_KEY=$dir/tls/client.key
ZAMAN_TEST_${P}_DIR=$dir
EOF
  mv "$dir/env.tmp" "$dir/env"
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() { if $root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
pg_login() {   # zaman can log in over TCP
  "$pg_bin/psql" -X -Atq -c 'select 1' \
    "host=127.0.0.1 port=$1 user=zaman password=zaman dbname=zaman_test sslmode=prefer connect_timeout=2"
}

# Where the server's own files live: DIR, unless (as root) the user postgres
# cannot reach DIR (a build tree under /root): then a directory of its own
# in /tmp, named after DIR, holds the data, the log and the TLS files.
pg_dir=$dir
pg_place() {
  $root && [ -d "$dir" ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null || return 0
  pg_dir=/tmp/zaman-pg-$(printf %s "$dir" | md5sum | cut -c1-12)
  data=$pg_dir/data
  log=$pg_dir/postgres.log
}

pg_init() {
  [ -x "$pg_bin/initdb" ] || die "no PostgreSQL in /usr/lib/postgresql (apt-get install postgresql)"
  if $root; then
    id postgres >/dev/null 2>&1 || die "no system user postgres (apt-get install postgresql)"
    if [ "$pg_dir" != "$dir" ]; then
      rm -rf "$pg_dir"; mkdir -m 755 "$pg_dir"; cp -r "$dir/tls" "$pg_dir/tls"
      echo "$pg_dir" >"$dir/pg_dir"   # where to look for its log
    fi
    chown postgres: "$pg_dir/tls/server.key"
  fi
  mkdir -m 700 "$data"; touch "$log"
  $root && chown postgres: "$data" "$log"
  as_pg "$pg_bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --no-sync -A reject >>"$log" 2>&1 \
    || die "initdb failed"
  # No unix socket at all: everything, setup included, goes through 127.0.0.1.
  cat >>"$data/postgresql.conf" <<EOF

# --- tests/db/throwaway.sh (the port is given on the command line, see DIR/port)
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 32MB
ssl = on
ssl_cert_file = '$pg_dir/tls/server.pem'
ssl_key_file = '$pg_dir/tls/server.key'
ssl_ca_file = '$pg_dir/tls/ca.pem'
EOF
  echo "host all zaman 127.0.0.1/32 scram-sha-256" >"$data/pg_hba.conf"
  # Single-user mode needs no connection: create the role and the database.
  # Without fsync, as initdb --no-sync: a throw-away cluster need not survive a
  # power cut during its setup, and this saves a second of syncing.
  as_pg "$pg_bin/postgres" --single -D "$data" -c fsync=off postgres >>"$log" 2>&1 <<'EOF' || die "creating user zaman failed"
CREATE ROLE zaman LOGIN CREATEDB PASSWORD 'zaman';
CREATE DATABASE zaman_test OWNER zaman;
EOF
}

pg_start() {   # $1 port; returns 1 if the server did not come up
  as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -o "-p $1" -w -t 60 start >/dev/null || return 1
  wait_until "$(head -n 1 "$data/postmaster.pid")" 30 pg_login "$1"
}

pg_stop() {
  [ -f "$data/postmaster.pid" ] || return 0
  local pid; pid=$(head -n 1 "$data/postmaster.pid")
  as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  wait_gone "$pid" 5
}

# ---------------------------------------------------------------- MariaDB
# The socket lives in DIR unless that path is too long for a unix socket.
my_sock=$dir/mysqld.sock
[ ${#my_sock} -lt 100 ] || my_sock=/tmp/zaman-mariadb-$(printf %s "$dir" | md5sum | cut -c1-12).sock
my_user=(); $root && my_user=(--user=root)
my_login() {
  mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$1" -u zaman -pzaman \
    --connect-timeout=2 -N -e 'select 1' zaman_test
}

my_init() {
  command -v mariadbd >/dev/null || PATH=$PATH:/usr/sbin
  command -v mariadbd >/dev/null || die "no mariadbd (apt-get install mariadb-server)"
  mariadb-install-db --no-defaults "${my_user[@]}" --datadir="$data" --skip-test-db \
    --skip-name-resolve --auth-root-authentication-method=socket >>"$log" 2>&1 || die "mariadb-install-db failed"
  # Run once at the first start, before the server accepts connections.
  cat >"$dir/init.sql" <<'EOF'
CREATE USER IF NOT EXISTS 'zaman'@'127.0.0.1' IDENTIFIED BY 'zaman';
CREATE USER IF NOT EXISTS 'zaman'@'localhost' IDENTIFIED BY 'zaman';
GRANT ALL ON *.* TO 'zaman'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL ON *.* TO 'zaman'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS zaman_test;
EOF
}

my_start() {   # $1 port, $2 extra option; returns 1 if the server did not come up
  command -v mariadbd >/dev/null || PATH=$PATH:/usr/sbin
  # All descriptors go to the log so that CTest does not wait on the server.
  setsid mariadbd --no-defaults "${my_user[@]}" --datadir="$data" --socket="$my_sock" \
    --pid-file="$dir/mariadb.pid" --port="$1" --bind-address=127.0.0.1 --skip-name-resolve \
    --max-connections=300 --innodb-buffer-pool-size=128M --log-error="$log" \
    --ssl-ca="$dir/tls/ca.pem" --ssl-cert="$dir/tls/server.pem" --ssl-key="$dir/tls/server.key" \
    ${2:+"$2"} </dev/null >>"$log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/mariadb.launcher.pid"
  wait_until "$pid" 60 my_login "$1"
}

my_stop() {
  local f pid
  for f in "$dir/mariadb.pid" "$dir/mariadb.launcher.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); rm -f "$f"
    alive "$pid" || continue
    [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = mariadbd ] || continue   # a reused pid
    kill -TERM "$pid"; wait_gone "$pid" 60
  done
}

# ---------------------------------------------------------------- commands
stop() {
  [ -d "$dir" ] || return 0
  if [ $backend = postgres ]; then pg_stop; else my_stop; fi
}

# Starts the server on port $1 ($2: fresh data directory); on a port clash
# with a fresh directory, tries another port.
launch() {
  local port=$1 fresh=$2 try
  for try in 1 2 3; do
    local ok=true
    if [ $backend = postgres ]; then
      pg_start "$port" || ok=false
    else
      my_start "$port" ${fresh:+--init-file=$dir/init.sql} || ok=false
    fi
    if $ok; then echo "$port" >"$dir/port"; return 0; fi
    stop
    [ -n "$fresh" ] && grep -q 'in use' "$log" || die "server did not start"
    port=$(free_port); say "port clash, trying $port"
  done
  die "server did not start"
}

finish() {   # env file, then the port on stdout
  if [ $backend = postgres ]; then write_env POSTGRES "$1"; else write_env MYSQL "$1"; fi
  echo "$1"
}

[ $backend = postgres ] && pg_place
case $cmd in
  start)
    if [ -e "$dir" ]; then
      [ -f "$MARKER" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and was not made by $0; not wiping it"
      pg_stop; my_stop; rm -rf "$dir"   # whatever still runs there, then the old files
    fi
    mkdir -p "$dir"; touch "$MARKER"; cd "$dir"
    $root && chmod 755 "$dir"
    [ $backend = postgres ] && pg_place
    make_tls
    if [ $backend = postgres ]; then pg_init; else my_init; fi
    launch "$(free_port)" yes
    finish "$(cat "$dir/port")"
    ;;
  stop)
    stop
    rm -f "$dir/env"
    ;;
  restart)
    [ -f "$dir/port" ] || die "nothing to restart in $dir (no start yet)"
    cd "$dir"
    stop
    launch "$(cat "$dir/port")" ""
    finish "$(cat "$dir/port")"
    ;;
esac
