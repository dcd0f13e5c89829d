#!/usr/bin/env bash
# forja join / forja cluster without a daemon or network: usage errors, bad
# settings and tokens (exit 2), an absent incusd (exit 1, bounded wait).
. "$TESTS_LIB/testlib.sh"
make_tmpdir

# An expired hand-made token for n2:
# printf '{"server_name":"n2","fingerprint":"<64 x 9>","addresses":["192.0.2.1:8443"],"secret":"s","expires_at":"2020-01-01T00:00:00Z"}' | base64 -w0
FP=9999999999999999999999999999999999999999999999999999999999999999
EXPIRED=$(printf '{"server_name":"n2","fingerprint":"%s","addresses":["192.0.2.1:8443"],"secret":"s","expires_at":"2020-01-01T00:00:00Z"}' "$FP" | base64 -w0)
VALID=$(printf '{"server_name":"n2","fingerprint":"%s","addresses":["192.0.2.1:8443"],"secret":"s","expires_at":"2099-01-01T00:00:00Z"}' "$FP" | base64 -w0)

expect_exit 2 "$FORJA" join --bogus
expect_match "^error: join: unknown option '--bogus'"
expect_exit 2 "$FORJA" join --json
expect_match "--json only goes with --status"
expect_exit 2 "$FORJA" join --attempts 0
expect_match "--attempts must be 1..100"
expect_exit 2 "$FORJA" join --settings "$TMPD/missing.json"
expect_match "missing.json: cannot read: No such file or directory"
expect_exit 2 "$FORJA" cluster
expect_match "missing subcommand \(token\)"
expect_exit 2 "$FORJA" cluster token
expect_match "no server names given"

printf '{"mode":"join","server_name":"n2","address":"192.0.2.2:8443","token":"%s"}\n' "$EXPIRED" >"$TMPD/expired.json"
expect_exit 2 "$FORJA" join --verify --settings "$TMPD/expired.json"
expect_match "cluster.token: the join token for 'n2' expired at 2020-01-01 00:00:00 UTC"
expect_match "3 hours by default"
! grep -qF "$EXPIRED" <<<"$OUT" || fail "the token was printed"

# verify = false: the token is checked, the cluster is not contacted.
printf '{"mode":"join","server_name":"n2","address":"192.0.2.2:8443","verify":false,"token":"%s"}\n' "$VALID" >"$TMPD/valid.json"
expect_exit 0 "$FORJA" join --verify --settings "$TMPD/valid.json"
expect_match "The join token is valid \(cluster not contacted: verify = false\)"
printf '{"mode":"join","server_name":"n7","address":"192.0.2.2:8443","verify":false,"token":"%s"}\n' "$VALID" >"$TMPD/other.json"
expect_exit 2 "$FORJA" join --verify --settings "$TMPD/other.json"
expect_match "made for server 'n2', but this server is named 'n7'"

printf '{"mode":"bootstrap","server_name":"n1"}\n' >"$TMPD/noaddr.json"
expect_exit 2 "$FORJA" join --settings "$TMPD/noaddr.json"
expect_match "cluster.address: mode bootstrap needs this node's cluster address"
printf '{"mode":"standalone"}\n' >"$TMPD/standalone.json"
expect_exit 0 "$FORJA" join --verify --settings "$TMPD/standalone.json"
expect_match "Nothing to verify"

# No incusd: status fails at once, join gives up after --timeout.
expect_exit 1 "$FORJA" join --status --socket "$TMPD/none.socket"
expect_match "cannot talk to incusd at $TMPD/none.socket: No such file or directory \(is incusd running\?\)"
start=$(date +%s)
expect_exit 1 "$FORJA" join --settings "$TMPD/standalone.json" --socket "$TMPD/none.socket" --timeout 2
expect_match "incusd did not answer within 2 s"
# FORJA_TIME_FACTOR: slower runs (meson test --setup valgrind) stretch the limit.
[ $(( $(date +%s) - start )) -le $((6 * ${FORJA_TIME_FACTOR:-1})) ] || fail "--timeout 2 was not kept"

echo "join-cli: all checks passed"
