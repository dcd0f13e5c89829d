#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `forja answer fetch` against a misbehaving answer server on loopback
# (tests/lib/http-test-server.py): truncated bodies, resets, 500s, a slow
# server, wrong content types and an oversize answer. Transient faults are
# retried a bounded number of times (counted in the server's request log),
# permanent ones are not retried; every failure is exit 1 with a message
# naming the URL and the reason, in bounded time; nothing is printed as an
# answer when the fetch failed (an answer that is not valid is exit 2).
. "$TESTS_LIB/testlib.sh"
require_cmd python3
make_tmpdir
pid=""
cleanup() {
        if [ -n "$pid" ]; then
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        fi
        rm -rf "$TMPD"
}
trap cleanup EXIT

cat >"$TMPD/hw.json" <<'JSON'
{ "nics": [ { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "link": true } ] }
JSON
mkdir -p "$TMPD/root"
{ echo '# the answer'; for i in $(seq 200); do echo "# filler line $i of the answer file"; done; } >"$TMPD/root/a.toml"
echo '{"global": {"keyboard": "de"' >"$TMPD/root/broken.json"
# 1 MiB + 1 byte: one more than forja accepts.
python3 -c 'import sys; sys.stdout.write("#" * (1024 * 1024) + "\n")' >"$TMPD/root/big.toml"

python3 "$TESTS_LIB/http-test-server.py" --root "$TMPD/root" --port-file "$TMPD/port" --log "$TMPD/requests.log" \
        2>"$TMPD/server.stderr" &
pid=$!
for _ in $(seq 100); do [ -s "$TMPD/port" ] && break; sleep 0.1; done
[ -s "$TMPD/port" ] || fail "the test server did not start"
P=http://127.0.0.1:$(cat "$TMPD/port")

# fetch MAX_SECONDS CODE PATH [OPTIONS...]: exit CODE within MAX_SECONDS.
fetch() {
        local max=$1 code=$2 path=$3 start
        shift 3
        start=$(date +%s)
        expect_exit "$code" "$FORJA" answer fetch --hardware "$TMPD/hw.json" --cmdline "forja.answer=$P$path" "$@"
        local took=$(($(date +%s) - start))
        # FORJA_TIME_FACTOR: slower runs (meson test --setup valgrind) stretch the limits.
        [ "$took" -le $((max * ${FORJA_TIME_FACTOR:-1})) ] || fail "$path took $took s (limit $max s)"
        if [ "$code" != 0 ] && grep -q '^# the answer$' <<<"$OUT"; then
                fail "$path: an answer was printed although the fetch failed"
        fi
}
# requests PATH: how many requests the server saw for PATH.
requests() {
        python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"] == sys.argv[2]))' \
                "$TMPD/requests.log" "$1"
}

# Truncated body (the full length announced, half sent): retried, then the whole answer.
fetch 30 0 /truncate/2/t1/a.toml
expect_match '^# the answer$'
expect_match 'Attempt 2 of 5 failed: .*truncate/2/t1/a.toml'
[ "$(requests /truncate/2/t1/a.toml)" = 3 ] || fail "truncated: $(requests /truncate/2/t1/a.toml) requests, expected 3"
[ "$(grep -c 'filler line' <<<"$OUT")" = 200 ] || fail "truncated: the answer printed is not whole"
# Always truncated: given up after --attempts, exit 1.
fetch 30 1 /truncate/99/t2/a.toml --attempts 3
expect_match "answer fetch: $P/truncate/99/t2/a.toml: .*"
[ "$(requests /truncate/99/t2/a.toml)" = 3 ] || fail "always truncated: $(requests /truncate/99/t2/a.toml) requests, expected 3"

# Connection reset without a reply: retried.
fetch 30 0 /reset/1/r1/a.toml
expect_match '^# the answer$'

# 500 then success; 500 for ever: bounded.
fetch 30 0 /fail/2/f1/a.toml
expect_match '^# the answer$'
[ "$(requests /fail/2/f1/a.toml)" = 3 ] || fail "500 then 200: $(requests /fail/2/f1/a.toml) requests, expected 3"
fetch 30 1 /fail/99/f2/a.toml --attempts 4
expect_match "$P/fail/99/f2/a.toml: HTTP status 500"
expect_match 'Attempt 3 of 4 failed'
[ "$(requests /fail/99/f2/a.toml)" = 4 ] || fail "500 for ever: $(requests /fail/99/f2/a.toml) requests, expected 4"

# Slow server: within the time limit it is only slow; beyond it, a timeout, retried, bounded.
fetch 30 0 /slow/2/a.toml
expect_match '^# the answer$'
fetch 20 1 /slow/30/a.toml --timeout 2 --attempts 2
expect_match "$P/slow/30/a.toml: .*([Tt]imeout|timed out)"
[ "$(requests /slow/30/a.toml)" = 2 ] || fail "slow: $(requests /slow/30/a.toml) requests, expected 2"

# Wrong content type: an HTML page is refused at once (not retried).
fetch 10 1 /html/a.toml
expect_match "$P/html/a.toml: the server sent an HTML page \\(Content-Type text/html\\), not an answer file"
[ "$(requests /html/a.toml)" = 1 ] || fail "html: retried"
# JSON that is not JSON (application/json, broken): an invalid answer (exit 2),
# said in JSON terms, not retried.
fetch 10 2 /broken.json
expect_match "$P/broken.json: JSON answer: unexpected end of the document at byte 29"
[ "$(requests /broken.json)" = 1 ] || fail "broken JSON: retried"

# Oversize answer: refused at the limit, not retried.
fetch 10 1 /big.toml
expect_match "$P/big.toml: reply larger than the limit of 1048576 bytes"
[ "$(requests /big.toml)" = 1 ] || fail "oversize: retried"

# A status that will not change (404 without fallback, 403) is not retried.
fetch 10 1 /status/403
expect_match "$P/status/403: HTTP status 403"
[ "$(requests /status/403)" = 1 ] || fail "403: retried"

# Bad option values are bad usage.
expect_exit 2 "$FORJA" answer fetch --hardware "$TMPD/hw.json" --attempts 0 --cmdline "forja.answer=$P/a.toml"
expect_match -- "--attempts takes a number from 1 to 20, not '0'"
expect_exit 2 "$FORJA" answer fetch --hardware "$TMPD/hw.json" --timeout 1x --cmdline "forja.answer=$P/a.toml"

echo "answer-http-faults: all checks passed"
