#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The canary sweep: a unique value in every secret key of the answer schema
# (the list comes from the schema, build/tests/secret-keys, so a key added
# there is swept at once; tests/secrets/canary.py makes the answers), then a
# search for each value (and the secret inside the join token) in everything
# forja produces on the host:
#   cli        console output, --log-file and --argv-log of `forja answer
#              validate`, `forja plan` (text and JSON), `forja install
#              --dry-run`, and of answers that are wrong: a type error, and a
#              TOML syntax error in each secret (its value unquoted);
#   configure  (root) the target tree stage 6 writes from each answer: the
#              redacted answer copy, the install log, every other file; the
#              hashed root password may be in /etc/shadow only;
#   webhook    (root) a `forja install` on a described machine that fails at
#              stage disks, with its started and failed webhook bodies (over
#              pinned https; the bearer token belongs in the header only).
# Files that may hold something secret-derived must be mode 0600 (0640 for
# /etc/shadow). A "<redacted>" in an argv log means a secret was put on a
# command line (visible in /proc/PID/cmdline): a leak as well.
# The scanner is first run on fixtures that do leak, so the test can fail.
#   test-secrets.sh cli
#   test-secrets.sh configure CONFIGURE_TARGET_DRIVER     (root)
#   test-secrets.sh webhook                               (root)
. "$TESTS_LIB/testlib.sh"
mode=${1:?usage: test-secrets.sh cli|configure [DRIVER]|webhook}
require_cmd python3
make_tmpdir
CANARY=("python3" "$FORJA_SRCDIR/tests/secrets/canary.py")
KEYS=$TMPD/secret-keys
"${FORJA_SECRET_KEYS:?the build sets FORJA_SECRET_KEYS}" >"$KEYS" || fail "secret-keys failed"

# The scanner finds what it must, and only that.
mkdir -p "$TMPD/selftest/clean/etc" "$TMPD/selftest/dirty/sub" "$TMPD/selftest/dirty/etc"
cat >"$TMPD/selftest/canaries.json" <<'JSON'
[ { "key": "k.pw", "value": "CanaryPw42", "allow": [] },
  { "key": "k.hash", "value": "$6$Salt$Hash/x", "allow": ["etc/shadow"] } ]
JSON
echo "nothing here" >"$TMPD/selftest/clean/a.log"
echo "Running: true --other=x" >"$TMPD/selftest/clean/argv.log"
echo 'root:$6$Salt$Hash/x:1::::::' >"$TMPD/selftest/clean/etc/shadow"
printf '{"method": "POST", "path": "/h", "headers": {"Authorization": "Bearer CanaryPw42"}, "body": "{}"}\n' \
        >"$TMPD/selftest/clean.http"
printf 'binary\0before %s after\n' CanaryPw42 >"$TMPD/selftest/dirty/sub/blob"
echo '{"hash": "$6$Salt$Hash\/x"}' >"$TMPD/selftest/dirty/body.json"
echo 'root:$6$Salt$Hash/x:1::::::' >"$TMPD/selftest/dirty/etc/shadow.bak"
echo "Running: cryptsetup --key=<redacted>" >"$TMPD/selftest/dirty/argv.log"
printf '{"method": "POST", "path": "/h", "headers": {}, "body": "{\\"log\\": \\"CanaryPw42\\"}"}\n' \
        >"$TMPD/selftest/dirty.http"
"${CANARY[@]}" scan "$TMPD/selftest/canaries.json" --http-log "$TMPD/selftest/clean.http" "$TMPD/selftest/clean" \
        >/dev/null 2>&1 || fail "scanner: a clean tree reported as leaking"
found=$("${CANARY[@]}" scan "$TMPD/selftest/canaries.json" --http-log "$TMPD/selftest/dirty.http" \
        "$TMPD/selftest/dirty" 2>/dev/null || true)
for want in "sub/blob: k.pw" "body.json: k.hash" "etc/shadow.bak: k.hash" "argv.log: a secret on a command line" \
        "dirty.http: POST /h (body): k.pw"; do
        grep -qF "$want" <<<"$found" || fail "scanner missed: $want (found: $found)"
done
[ "$(wc -l <<<"$found")" = 5 ] || fail "scanner: expected 5 findings, got: $found"

# The machine: a description whose disks are not on this host. The base
# answer; canary.py adds every secret key to it.
. "$TESTS_LIB/described-machine.sh"
described_machine "$TMPD/hw.json" uefi vdy vdz
HW=$TMPD/hw.json
hook_url=https://hooks.example.com/done
hook_pin=
if [ "$mode" = webhook ]; then
        require_root
        require_cmd openssl bsdtar zstd
        . "$TESTS_LIB/http-server.sh"
        trap 'http_servers_stop; rm -rf "$TMPD"' EXIT
        http_make_cert
        mkdir -p "$TMPD/www"
        echo ok >"$TMPD/www/hook"
        http_server_start hooks "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
        hook_url=https://127.0.0.1:$HTTP_PORT/hook
        hook_pin="cert-fingerprint = \"$CERT_FP\""
fi
{
        described_answer_head node1.example.com
        cat <<EOF2

[disk-setup]
filesystem = "ext4"
disk-list = ["vdy", "vdz"]
raid = "raid1"
encrypt = true

[checks]
waive = [$(every_check_id)]

[post-installation-webhook]
url = "$hook_url"
$hook_pin

[cluster]
mode = "join"
verify = false
EOF2
} >"$TMPD/base.toml"
mkdir "$TMPD/answers"
"${CANARY[@]}" make "$KEYS" "$TMPD/base.toml" "$TMPD/answers" || fail "canary.py make failed"
answers=("$TMPD"/answers/answer-*.toml)
[ ${#answers[@]} -ge 1 ] || fail "no answers made"

out=$TMPD/out
mkdir "$out"
# run NAME CODE ARGS...: forja with its own log and argv log, console saved.
run() {
        local name=$1 want=$2 got=0
        shift 2
        "$FORJA" --log-level debug --log-file "$out/$name.log" --argv-log "$out/$name.argv" "$@" \
                >"$out/$name.stdout" 2>"$out/$name.stderr" || got=$?
        [ "$got" = "$want" ] || { cat "$out/$name.stderr" >&2; fail "forja $* exited $got, expected $want"; }
}

case $mode in
cli)
        for i in "${!answers[@]}"; do
                A=${answers[$i]}
                run "validate-$i" 0 answer validate "$A" --hardware "$HW"
                run "plan-text-$i" 0 plan --answer "$A" --hardware "$HW"
                run "plan-json-$i" 0 plan --answer "$A" --hardware "$HW" --json
                run "install-dry-run-$i" 0 install --dry-run --hardware "$HW" --answer "$A"
                python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/plan-json-$i.stdout" ||
                        fail "plan --json is not JSON"
        done
        # A broken answer: the errors quote values, never the secrets.
        sed 's/^timezone = .*/timezone = 42/; s/^raid = .*/raid = "raid7"/' "${answers[0]}" >"$TMPD/bad.toml"
        run validate-bad 2 answer validate "$TMPD/bad.toml" --hardware "$HW"
        run install-bad 2 install --dry-run --hardware "$HW" --answer "$TMPD/bad.toml"
        grep -q raid7 "$out/validate-bad.stderr" || fail "the bad answer's error does not name the value"
        # Each secret unquoted: a TOML syntax error that names the place, not the value.
        n=0
        for u in "$TMPD"/answers/unquoted-*.toml; do
                run "validate-unquoted-$n" 2 answer validate "$u"
                grep -q 'TOML syntax error' "$out/validate-unquoted-$n.stderr" || fail "$u: no syntax error"
                run "plan-unquoted-$n" 2 plan --answer "$u" --hardware "$HW"
                run "install-unquoted-$n" 2 install --dry-run --hardware "$HW" --answer "$u"
                n=$((n + 1))
        done
        [ "$n" = "$(wc -l <"$KEYS")" ] || fail "$n unquoted answers for $(wc -l <"$KEYS") secret keys"
        ;;
configure)
        DRIVER=${2:?}
        require_root
        require_cmd ssh-keygen ldd
        for i in "${!answers[@]}"; do
                A=${answers[$i]}
                run "plan-json-$i" 0 plan --answer "$A" --hardware "$HW" --json
                # A bare target: the units stage 6 enables, and the ssh-keygen it runs chrooted.
                t=$TMPD/target-$i
                mkdir -p "$t/etc/ssh" "$t/root" "$t/var/lib/dbus" "$t/usr/lib/systemd/system" "$t/usr/bin" "$t/dev"
                printf 'root:x:0:0:root:/root:/bin/bash\n' >"$t/etc/passwd"
                printf 'root:*:20783:0:99999:7:::\n' >"$t/etc/shadow"
                chmod 640 "$t/etc/shadow"
                cp "$FORJA_SRCDIR"/tests/configure/units/* "$t/usr/lib/systemd/system/"
                # the forja package ships this one on every node (enabled where the plan has md arrays)
                cp "$FORJA_SRCDIR/installer/forja-md-degraded.service" "$t/usr/lib/systemd/system/"
                mkdir -p "$t/usr/share/zoneinfo/Europe" && cp /usr/share/zoneinfo/Europe/Berlin "$t/usr/share/zoneinfo/Europe/"
                mknod -m 666 "$t/dev/null" c 1 3
                cp /usr/bin/ssh-keygen "$t/usr/bin/"
                for lib in $(ldd /usr/bin/ssh-keygen | grep -o '/[^ ]*'); do
                        mkdir -p "$t$(dirname "$lib")"
                        cp -L "$lib" "$t$lib"
                done
                echo "install log line: nothing secret" >"$out/install-$i.log"
                rc=0
                "$DRIVER" --root "$t" --plan "$out/plan-json-$i.stdout" --answer "$A" --log "$out/install-$i.log" \
                        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1 \
                        --mount /boot:ext4:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::2 \
                        --argv-log "$out/configure-$i.argv" >"$out/configure-$i.stdout" 2>"$out/configure-$i.stderr" || rc=$?
                [ "$rc" = 0 ] || { cat "$out/configure-$i.stderr" >&2; fail "configure failed (exit $rc)"; }
                [ -f "$t/etc/forja/answer.toml" ] || fail "configure wrote no answer copy"
                [ -s "$out/configure-$i.argv" ] || fail "configure ran no command (no argv log)"
                hashed=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["global"].get("root-password-hashed", ""))' "$A")
                if [ -n "$hashed" ]; then
                        grep -qF "root:$hashed:" "$t/etc/shadow" || fail "root's hashed password was not set as given"
                else
                        grep -q '^root:\$y\$' "$t/etc/shadow" || fail "root's password was not set"
                fi
                "$DRIVER" --redact "$A" >"$out/redacted-$i.toml" || fail "redaction failed"
                for f in etc/forja/answer.toml var/log/forja/install.log; do
                        [ ! -e "$t/$f" ] || [ "$(stat -c %a "$t/$f")" = 600 ] || fail "$f is mode $(stat -c %a "$t/$f"), not 600"
                done
                [ "$(stat -c %a "$t/etc/shadow")" = 640 ] || [ "$(stat -c %a "$t/etc/shadow")" = 600 ] ||
                        fail "/etc/shadow is mode $(stat -c %a "$t/etc/shadow")"
                # the copied system libraries and tools are not forja's output
                rm -rf "$t/usr/bin/ssh-keygen" "$t/lib" "$t/lib64" "$t/usr/lib/x86_64-linux-gnu" "$t/dev"
                cp -r "$t" "$out/target-$i"
        done
        ;;
webhook)
        # A node image that verifies, so the install gets as far as the disks
        # (which are described, not on this host) before it fails.
        mkdir -p "$TMPD/tree/etc" "$TMPD/img"
        echo node1 >"$TMPD/tree/etc/hostname"
        (cd "$TMPD/tree" && bsdtar --numeric-owner -cf - etc) | zstd -q -3 >"$TMPD/img/node.tar.zst"
        "$FORJA" iso manifest "$TMPD/img/node.tar.zst" >"$TMPD/img/node.manifest.json" || fail "forja iso manifest failed"
        for i in "${!answers[@]}"; do
                FORJA_TEST_HARDWARE_INSTALL=1 run "install-$i" 1 install --answer "${answers[$i]}" --hardware "$HW" \
                        --target "$TMPD/target" --image "$TMPD/img/node.tar.zst"
                grep -q '^FORJA-INSTALL-FAILED stage=disks$' "$out/install-$i.stdout" "$out/install-$i.stderr" ||
                        fail "the install did not stop at stage disks"
        done
        [ ! -e "$TMPD/target" ] || cp -r "$TMPD/target" "$out/target"
        n=$(python3 -c 'import json, sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"))' "$TMPD/hooks.log")
        [ "$n" = $((2 * ${#answers[@]})) ] || fail "expected a started and a failed webhook per install, got $n POSTs"
        # kept outside $out: the bearer token is in its Authorization headers, as it must be
        cp "$TMPD/hooks.log" "$TMPD/webhooks.http"
        ;;
*)
        fail "unknown mode $mode"
        ;;
esac

n=$(find "$out" -type f | wc -l)
[ "$n" -ge 5 ] || fail "only $n files produced"
http=()
[ -e "$TMPD/webhooks.http" ] && http=(--http-log "$TMPD/webhooks.http")
if ! found=$("${CANARY[@]}" scan "$TMPD/answers/canaries.json" "${http[@]}" "$out"); then
        echo "$found" >&2
        fail "secrets leaked"
fi
echo "secrets ($mode): $n files scanned for the canaries of $(wc -l <"$KEYS") secret keys, none found"
