#!/usr/bin/env bash
# common/http.c against real HTTP and HTTPS servers on loopback: statuses,
# bounded retries of transient faults, size limit, timeouts, certificate
# pinning, bearer tokens kept out of the output.
. "$TESTS_LIB/testlib.sh"
GET=$1
require_cmd python3 openssl
make_tmpdir
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        rm -rf "$TMPD"
}
trap cleanup EXIT

mkdir "$TMPD/root"
printf '[global]\nkeyboard = "en-us"\n' >"$TMPD/root/answer.toml"
head -c 100000 /dev/urandom | base64 >"$TMPD/root/big.txt"

start_server() {        # start_server NAME [--tls CERT KEY]
        local name=$1; shift
        python3 "$TESTS_LIB/http-test-server.py" --root "$TMPD/root" --port-file "$TMPD/$name.port" \
                --log "$TMPD/$name.log" "$@" 2>"$TMPD/$name.stderr" &
        pids+=($!)
        for _ in $(seq 100); do [ -s "$TMPD/$name.port" ] && break; sleep 0.1; done
        [ -s "$TMPD/$name.port" ] || fail "server $name did not start: $(cat "$TMPD/$name.stderr")"
}

start_server plain
P=http://127.0.0.1:$(cat "$TMPD/plain.port")

expect_exit 0 "$GET" "$P/answer.toml"
expect_match 'keyboard = "en-us"'
expect_match 'status=200 attempts=1'

# 404 is final: not retried, callers may fall back.
expect_exit $((10 + 2)) "$GET" --attempts 3 "$P/answers/00:11:22:33:44:55.toml"
expect_match "$P/answers/00:11:22:33:44:55.toml: HTTP status 404"
expect_match 'attempts=1 '

expect_exit $((10 + 71)) "$GET" "$P/status/403"
expect_match 'HTTP status 403 \(only 200 and 201 are accepted\)'

# Transient faults are retried, a bounded number of times.
expect_exit 0 "$GET" --attempts 3 "$P/fail/2/a/answer.toml"
expect_match 'attempts=3 '
expect_match 'Attempt 1 of 3 failed: .*HTTP status 500 .*retrying in 100 ms'
expect_exit $((10 + 71)) "$GET" --attempts 3 "$P/fail/5/b/answer.toml"
expect_match 'status=500 attempts=3 '
expect_exit 0 "$GET" --attempts 3 "$P/reset/2/c/answer.toml"
expect_match 'attempts=3 '
expect_exit 0 "$GET" --attempts 2 "$P/truncate/1/d/big.txt"
expect_match 'attempts=2 '
expect_exit $((10 + 71)) "$GET" --attempts 1 "$P/truncate/1/e/big.txt"
expect_match 'big.txt: transfer closed with [0-9]+ bytes remaining'

# Size limit and timeout.
expect_exit $((10 + 27)) "$GET" --max-size 1000 "$P/big.txt"
expect_match 'reply larger than the limit of 1000 bytes'
expect_exit $((10 + 110)) "$GET" --timeout 1 "$P/slow/3/answer.toml"
expect_match 'slow/3/answer.toml: Operation timed out'

# Nothing listens: connection refused, named.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_exit $((10 + 111)) "$GET" "http://127.0.0.1:$port/answer.toml"
expect_match "127.0.0.1:$port/answer.toml: .*(refused|connect)"

# The last defence for a pin or a token with a plain http:// URL (the answer
# checks refuse them first): refused before any request is made.
some_fp=$(printf '%064d' 0 | sed 's/../&:/g; s/:$//')
: >"$TMPD/plain.log"
expect_exit $((10 + 22)) "$GET" --token s3cr3t-token-value --post '{"a":1}' "$P/answer.toml"
expect_match "$P/answer.toml: refusing to send a bearer token over plain http"
! grep -q s3cr3t <<<"$OUT" || fail "token leaked into output"
expect_exit $((10 + 22)) "$GET" --pin "$some_fp" "$P/answer.toml"
expect_match "$P/answer.toml: a pinned certificate cannot be checked over plain http"
expect_exit $((10 + 22)) "$GET" --token s3cr3t-token-value "HTTP://127.0.0.1:${P##*:}/answer.toml"
[ ! -s "$TMPD/plain.log" ] || fail "the server got a request: $(cat "$TMPD/plain.log")"

# TLS: a self-signed certificate, pinned by its SHA-256 fingerprint.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" \
        -days 2 -subj /CN=forja-test 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPD/other-key.pem" -out "$TMPD/other-cert.pem" \
        -days 2 -subj /CN=forja-other 2>/dev/null
fp=$(openssl x509 -in "$TMPD/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
other_fp=$(openssl x509 -in "$TMPD/other-cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
start_server tls --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$(cat "$TMPD/tls.port")

expect_exit 0 "$GET" --pin "$fp" "$S/answer.toml"
expect_match 'keyboard = "en-us"'
expect_match "fingerprint=$fp"
# Lower case without colons is the same pin.
expect_exit 0 "$GET" --pin "$(tr -d : <<<"$fp" | tr A-F a-f)" "$S/answer.toml"

# Over pinned TLS a bearer token and a POST body reach the server, the token never our output.
expect_exit 0 "$GET" --pin "$fp" --token s3cr3t-token-value --post '{"a":1}' "$S/answer.toml"
grep -q '"Authorization": "Bearer s3cr3t-token-value"' "$TMPD/tls.log" || fail "token not sent"
grep -q '"body": "{\\"a\\":1}"' "$TMPD/tls.log" || fail "POST body not received"
! grep -q s3cr3t <<<"$OUT" || fail "token leaked into output"

expect_exit $((10 + 1)) "$GET" --attempts 3 --pin "$other_fp" "$S/answer.toml"
expect_match "server certificate fingerprint $fp does not match the pinned $other_fp"
expect_match 'attempts=1 '

# Without a pin the self-signed certificate is not trusted.
expect_exit $((10 + 1)) "$GET" "$S/answer.toml"
expect_match 'certificate'

expect_exit $((10 + 22)) "$GET" --pin "AB:CD" "$S/answer.toml"
expect_match "Invalid certificate fingerprint 'AB:CD'"

echo "http: all checks passed"
