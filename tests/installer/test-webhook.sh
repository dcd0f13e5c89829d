#!/usr/bin/env bash
# installer/webhook.c: a failing `forja install` on the host, against a
# described machine whose disk does not exist here (FORJA_TEST_HARDWARE_INSTALL)
# and with a node image that does not exist (stage "verify" fails, before
# anything is written), reports "started" then "failed" to an HTTP(S) test
# server on loopback.
# Every captured body is checked field by field; the bearer token is in the
# header and no secret is in any body (also when a log line quotes one); a
# webhook that fails twice is retried; a wrong pinned fingerprint delivers
# nothing, is logged, and the install's exit status is unchanged.
# reboot-on-error: `--finish answer` waits after a failure by default and
# reboots (or powers off) when the answer says so; that part runs forja as
# PID 1 of a PID namespace of its own, where reboot(2) only ends the namespace
# (its init gets SIGHUP, or SIGINT for power-off).
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
. "$TESTS_LIB/described-machine.sh"
require_root
require_cmd python3 openssl
make_tmpdir
trap 'http_servers_stop; rm -rf "$TMPD"' EXIT

# The machine: a disk that does not exist here (forja refuses the test mode otherwise).
described_machine "$TMPD/hw.json" uefi vdz
# Every hardware check waived, so stage check passes on any host and the
# install stops at the missing image.
WAIVE=$(every_check_id)
ROOT_PW='Sup3rS3cretRootPw'
TOKEN='webhook-T0ken-xyz'
write_answer() { # FILE URL [FINGERPRINT] [ROOT-PASSWORD] [MORE-GLOBAL-LINES]
        {
                described_answer_head node7.example.com "root-password = \"${4:-$ROOT_PW}\"
${5:-}"
                cat <<EOT

[disk-setup]
filesystem = "ext4"
disk-list = ["vdz"]

[checks]
waive = [$WAIVE]

[post-installation-webhook]
url = "$2"
auth-token = "$TOKEN"
EOT
        } >"$1"
        # The token only goes over pinned https (a pin or token with http:// is refused).
        echo "cert-fingerprint = \"${3:-$fp}\"" >>"$1"
        return 0
}

mkdir -p "$TMPD/www/fail/2/retry"
echo ok >"$TMPD/www/hook"
install_fails() { # ANSWER: the install must fail in stage verify with exit 1
        expect_exit 1 env FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --answer "$1" --hardware "$TMPD/hw.json" \
                --target "$TMPD/target" --image "$TMPD/no-such-image.tar.zst"
        expect_match '^FORJA-INSTALL-FAILED stage=verify$'
}

http_make_cert
fp=$CERT_FP bad_fp=$CERT_BAD_FP
http_server_start hooks "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
P=https://127.0.0.1:$HTTP_PORT

# 1. started, then failed, with the stage, the error and the log tail.
write_answer "$TMPD/a.toml" "$P/hook"
install_fails "$TMPD/a.toml"
expect_match 'Webhook: started report delivered'
expect_match 'Webhook: failed report delivered'
python3 - "$TMPD/hooks.log" "$ROOT_PW" "$TOKEN" "$TMPD" <<'PY'
import json, sys
log, pw, token, tmpd = sys.argv[1:5]
reqs = [json.loads(l) for l in open(log)]
def check(cond, what):
    if not cond:
        sys.exit("webhook body check failed: " + what + "\n" + json.dumps(reqs, indent=1)[:4000])
check(len(reqs) == 2, "exactly two requests, got %d" % len(reqs))
for r in reqs:
    check(r["method"] == "POST" and r["path"] == "/hook", "POST /hook")
    check(r["headers"].get("Authorization") == "Bearer " + token, "the bearer token header")
    check(r["headers"].get("Content-Type") == "application/json", "JSON content type")
    check(pw not in r["body"], "no password in the body")
    # As Proxmox's post-hook sends it: the receiver's own token, once, as "token".
    check(json.loads(r["body"]).get("token") == token and r["body"].count(token) == 1,
          "the token in the body only as its field")
started, failed = (json.loads(r["body"]) for r in reqs)
check(started["forja"] == {"event": "started", "version": started["forja"]["version"]}, "started: forja object")
check(started["forja"]["version"] != "", "started: version")
for b in (started, failed):
    check(b["fqdn"] == "node7.example.com", "fqdn")
    check(b["product"]["fullname"].startswith("forja ") and b["product"]["short"] == "pve", "product")
    check(b["iso"]["isorelease"] == "1", "iso")
    check(b["dmi"]["system"] == {"name": "Rack 1U", "serial": "SN-4711",
                                 "uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332", "sku": ""}, "dmi.system")
f = failed["forja"]
check(f["event"] == "failed", "failed: event")
check(f["stage"] == "verify", "failed: stage verify")
check(f["error"] == "image manifest %s/no-such-image.manifest.json: cannot read it as JSON" % tmpd,
      "failed: error text: " + f["error"])
check(f["disks-written"] is False, "failed: no disk written")
tail = f["log-tail"]
check(isinstance(tail, list) and 0 < len(tail) <= 200, "failed: log tail of 1..200 lines")
check(tail[-1].startswith("Stage verify FAILED in "), "failed: the tail ends with the stage failure: %r" % tail[-1:])
check(tail[-2].startswith("Stage check done in "), "failed: the stage before: %r" % tail[-2:])
check(any(l.startswith("Webhook: started report delivered") for l in tail), "failed: the tail holds earlier lines")
check(any(l.startswith("CPU virtualization: ") for l in tail), "failed: the tail holds the check stage's lines")
check(set(failed) == {"forja", "product", "iso", "fqdn", "dmi", "token"}, "failed: top-level keys %s" % sorted(failed))
print(json.dumps(failed, indent=2))
PY
cp "$TMPD/hooks.log" "$TMPD/failed-bodies.log"

# 2. A secret that a log line quotes is masked in the tail (the root password
#    is a piece of the stage failure line, on purpose).
: >"$TMPD/hooks.log"
write_answer "$TMPD/b.toml" "$P/hook" "" "verify FAILED"
install_fails "$TMPD/b.toml"
python3 - "$TMPD/hooks.log" <<'PY'
import json, sys
bodies = [json.loads(l)["body"] for l in open(sys.argv[1])]
if len(bodies) != 2: sys.exit("expected two bodies, got %d" % len(bodies))
if any("verify FAILED" in b for b in bodies): sys.exit("the secret reached a body")
tail = json.loads(bodies[1])["forja"]["log-tail"]
if not any(l.startswith("Stage <redacted> in ") for l in tail): sys.exit("no redacted line in %r" % tail)
PY

# ... and in the error text, which no log line carries (the password is a
#    piece of the error message, on purpose).
: >"$TMPD/hooks.log"
write_answer "$TMPD/b2.toml" "$P/hook" "" "cannot read it as JSON"
install_fails "$TMPD/b2.toml"
python3 - "$TMPD/hooks.log" <<'PY2'
import json, sys
bodies = [json.loads(l)["body"] for l in open(sys.argv[1])]
if len(bodies) != 2: sys.exit("expected two bodies, got %d" % len(bodies))
if any("cannot read it as JSON" in b for b in bodies): sys.exit("the secret reached a body")
err = json.loads(bodies[1])["forja"]["error"]
if not err.endswith("no-such-image.manifest.json: <redacted>"): sys.exit("error not redacted: %r" % err)
PY2

# 3. Retries: the hook answers 500 twice, then 200; each report is still delivered once.
: >"$TMPD/hooks.log"
echo ok >"$TMPD/www/retry"
write_answer "$TMPD/c.toml" "$P/fail/2/retry/retry"
install_fails "$TMPD/c.toml"
expect_match 'Webhook: started report delivered'
expect_match 'Webhook: failed report delivered'
n=$(grep -c '"path": "/fail/2/retry/retry"' "$TMPD/hooks.log")
[ "$n" = 4 ] || fail "expected 4 requests (started: 500, 500, 200; failed: 200), got $n"

# 4. TLS: the right pin delivers, a wrong pin delivers nothing and is logged;
#    the install fails the same way (exit 1, stage check) either way.
http_server_start tls "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$HTTP_PORT
write_answer "$TMPD/d.toml" "$S/hook" "$fp"
install_fails "$TMPD/d.toml"
expect_match 'Webhook: failed report delivered'
[ "$(grep -c '"path": "/hook"' "$TMPD/tls.log")" = 2 ] || fail "the pinned server should get two bodies"
: >"$TMPD/tls.log"
write_answer "$TMPD/e.toml" "$S/hook" "$bad_fp"
install_fails "$TMPD/e.toml"
expect_match 'Webhook: the started report was not delivered \(the install goes on\): .*fingerprint'
expect_match 'Webhook: the failed report was not delivered'
[ ! -s "$TMPD/tls.log" ] || fail "a body reached the server despite the wrong pin: $(cat "$TMPD/tls.log")"
# 5. reboot-on-error, in a PID namespace ($$ = 1 is checked before forja runs).
require_cmd unshare
finish_in_pidns() { # ANSWER
        set +e
        OUT=$(unshare --pid --fork --mount-proc -- sh -c '[ $$ = 1 ] || exit 99; exec "$@"' sh \
                env FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --answer "$1" --hardware "$TMPD/hw.json" \
                --target "$TMPD/target" --image "$TMPD/no-such-image.tar.zst" --finish answer 2>&1)
        STATUS=$?
        set -e
        [ "$STATUS" != 99 ] || fail "forja would not have been PID 1 of its own PID namespace"
}
write_answer "$TMPD/f.toml" "$P/hook"
finish_in_pidns "$TMPD/f.toml"
[ "$STATUS" = 1 ] || fail "reboot-on-error=false: expected exit 1 (waiting), got $STATUS: $OUT"
expect_match '^FORJA-INSTALL-FAILED stage=verify$'
expect_match '^FORJA-INSTALL-WAITING reboot-on-error=false$'
expect_match 'Not rebooting \(global.reboot-on-error is false\)'
write_answer "$TMPD/g.toml" "$P/hook" "" "" "reboot-on-error = true"
finish_in_pidns "$TMPD/g.toml"
[ "$STATUS" = 129 ] || fail "reboot-on-error=true: expected the reboot (SIGHUP to the namespace, 129), got $STATUS: $OUT"
expect_match '^FORJA-INSTALL-FAILED stage=verify$'
grep -q 'FORJA-INSTALL-WAITING' <<<"$OUT" && fail "reboot-on-error=true must not wait: $OUT"
write_answer "$TMPD/h.toml" "$P/hook" "" "" $'reboot-on-error = true\nreboot-mode = "power-off"'
finish_in_pidns "$TMPD/h.toml"
[ "$STATUS" = 130 ] || fail "reboot-mode=power-off: expected the power-off (SIGINT, 130), got $STATUS: $OUT"
# 6. The test mode refuses a description naming a device that exists here.
sed 's#"/dev/vdz"#"/dev/null"#' "$TMPD/hw.json" >"$TMPD/hw-real.json"
expect_exit 2 env FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --answer "$TMPD/a.toml" --hardware "$TMPD/hw-real.json" \
        --target "$TMPD/target" --image "$TMPD/no-such-image.tar.zst"
expect_match 'FORJA_TEST_HARDWARE_INSTALL: /dev/null of .*hw-real.json exists on this machine; refusing'
echo "webhook: all checks passed"
