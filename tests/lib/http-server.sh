# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced after testlib.sh (and make_tmpdir): http-test-server.py instances on
# loopback for a test, stopped by http_servers_stop (call it from the test's
# EXIT trap).
#   http_server_start NAME ROOT [SERVER-ARGS...]
#       starts a server for ROOT, waits for $TMPD/NAME.port; requests are
#       logged to $TMPD/NAME.log (created empty). Sets HTTP_PORT.
#   HTTP_SERVER_WRAP=(ip netns exec NS) runs it through a command that execs
#   (so the PID kept is the server's).
HTTP_SERVER_PIDS=()
HTTP_SERVER_WRAP=()

http_server_start() {
        local name=$1 root=$2
        shift 2
        "${HTTP_SERVER_WRAP[@]}" python3 "$TESTS_LIB/http-test-server.py" --root "$root" \
                --port-file "$TMPD/$name.port" --log "$TMPD/$name.log" "$@" 2>"$TMPD/$name.stderr" &
        HTTP_SERVER_PIDS+=($!)
        for _ in $(seq 100); do [ -s "$TMPD/$name.port" ] && break; sleep 0.1; done
        [ -s "$TMPD/$name.port" ] || fail "HTTP server $name did not start: $(cat "$TMPD/$name.stderr")"
        touch "$TMPD/$name.log"
        HTTP_PORT=$(cat "$TMPD/$name.port")
}

http_servers_stop() {
        local p
        for p in "${HTTP_SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in "${HTTP_SERVER_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
        HTTP_SERVER_PIDS=()
}

# http_make_cert: a self-signed certificate for a TLS server, $TMPD/cert.pem
# and $TMPD/key.pem; CERT_FP is its SHA-256 fingerprint (AA:BB:.. as
# `openssl x509 -fingerprint -sha256` and Proxmox write it), CERT_BAD_FP one
# that does not match it.
http_make_cert() {
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -days 2 \
                -subj /CN=forja-test 2>/dev/null || fail "openssl could not make a certificate"
        CERT_FP=$(openssl x509 -in "$TMPD/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
        CERT_BAD_FP=$(echo "$CERT_FP" | tr '0123456789ABCDEF' '123456789ABCDEF0')
}
