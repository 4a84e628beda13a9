#!/usr/bin/env bash
# TLS and mTLS on the frontend, checked with the Python SDK.
# Starts two zamans from config files: one with TLS, one with mTLS.
# Needs $ZAMAN and $WORK (from run-sdk-test.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib.sh"
certs="$WORK/certs"
mkdir -p "$certs"

# A CA, a server certificate for 127.0.0.1/localhost, a client certificate,
# and a client certificate from a CA the server does not trust.
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$certs/$1.key" -out "$certs/$1.pem" 2>/dev/null
}
make_cert() {  # name ca subject-alt-names
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
    -keyout "$certs/$1.key" -out "$certs/$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$3" > "$certs/$1.ext"
  openssl x509 -req -in "$certs/$1.csr" -CA "$certs/$2.pem" -CAkey "$certs/$2.key" \
    -CAcreateserial -days 2 -extfile "$certs/$1.ext" -out "$certs/$1.pem" 2>/dev/null
}
make_ca ca
make_ca rogue-ca
make_cert server ca "DNS:localhost,IP:127.0.0.1"
make_cert client ca "DNS:client"
make_cert rogue-client rogue-ca "DNS:rogue"

tls_port=$(free_port)
mtls_port=$(free_port)
cat > "$WORK/tls.yaml" <<YAML
frontend:
  port: $tls_port
  tls:
    cert_file: $certs/server.pem
    key_file: $certs/server.key
persistence:
  sqlite:
    path: $WORK/tls.db
YAML
cat > "$WORK/mtls.yaml" <<YAML
frontend:
  port: $mtls_port
  tls:
    cert_file: $certs/server.pem
    key_file: $certs/server.key
    client_ca_file: $certs/ca.pem
persistence:
  sqlite:
    path: $WORK/mtls.db
YAML

"$ZAMAN" server start --config "$WORK/tls.yaml" >"$WORK/tls.log" 2>&1 &
tls_pid=$!
"$ZAMAN" server start --config "$WORK/mtls.yaml" >"$WORK/mtls.log" 2>&1 &
mtls_pid=$!
trap 'kill $tls_pid $mtls_pid 2>/dev/null || true' EXIT
wait_for_port "$tls_port"
wait_for_port "$mtls_port"

bash "$here/../sdk/python/setup.sh"
rc=0
ZAMAN_TLS_ADDRESS="127.0.0.1:$tls_port" ZAMAN_MTLS_ADDRESS="127.0.0.1:$mtls_port" ZAMAN_CERTS="$certs" \
  "$here/../sdk/python/.venv/bin/python" -m pytest -q -c "$here/../sdk/python/pytest.ini" \
  "$here/test_tls.py" || rc=$?

for pid in $tls_pid $mtls_pid; do
  kill -TERM "$pid"
  wait "$pid" || { echo "a TLS zaman did not stop cleanly" >&2; cat "$WORK"/*.log >&2; rc=1; }
done
trap - EXIT
exit $rc
