#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Secrets never leak: the root password, the LUKS passphrase, the cluster join
# token (and the secret inside it) and the webhook auth token of an answer
# file must not appear in anything forja produces on the host: console output
# and --log-file logs of `forja answer validate`, `forja plan` (text and
# JSON) and `forja install --dry-run`, the --argv-log of every command run,
# and (mode configure, root) the target tree stage 6 writes from that answer:
# the redacted answer copy, the install log, every other file. Files that may
# hold something secret-derived must be mode 0600 (0640 for /etc/shadow).
# A "<redacted>" in an argv log means a secret was put on a command line
# (visible in /proc/PID/cmdline): a leak as well.
# The scanner is first run on fixtures that do leak, so the test can fail.
#   test-secrets.sh cli
#   test-secrets.sh configure CONFIGURE_TARGET_DRIVER     (root)
. "$TESTS_LIB/testlib.sh"
mode=${1:?usage: test-secrets.sh cli|configure [DRIVER]}
require_cmd python3 base64
make_tmpdir
HW=$FORJA_SRCDIR/tests/inventory/hardware/uefi-2disk-server.json

ROOT_PW='Rootpw-5ecret-q7Zx'
LUKS_PW='Luks-5ecret-Hk3m'
HOOK_TOKEN='Hook-5ecret-Wp9v'
JOIN_SECRET='join5ecretinside0b1c2d3e'
JOIN_TOKEN=$(printf '{"server_name":"node1","fingerprint":"%s","addresses":["192.0.2.10:8443"],"secret":"%s","expires_at":"2099-01-01T00:00:00Z"}' \
        "$(printf '5e1f6b2a%.0s' 1 2 3 4 5 6 7 8)" "$JOIN_SECRET" | base64 -w0)
SECRETS=("$ROOT_PW" "$LUKS_PW" "$HOOK_TOKEN" "$JOIN_TOKEN" "$JOIN_SECRET")

# leaks PATH...: prints "FILE: secret N" for every secret found in the files
# (recursively, binary files too); "<redacted>" counts in files named *argv*.
leaks() {
        local f i found=0
        while IFS= read -r -d '' f; do
                for i in "${!SECRETS[@]}"; do
                        if grep -aqF -- "${SECRETS[$i]}" "$f"; then
                                echo "$f: secret $i"
                                found=1
                        fi
                done
                case $(basename "$f") in
                *argv*) if grep -aqF '<redacted>' "$f"; then echo "$f: a secret on a command line"; found=1; fi ;;
                esac
        done < <(find "$@" -type f -print0)
        return $((1 - found))
}

# The scanner finds what it must, and only that.
mkdir -p "$TMPD/selftest/clean" "$TMPD/selftest/dirty/sub"
echo "nothing here" >"$TMPD/selftest/clean/a.log"
echo "Running: true --other=x" >"$TMPD/selftest/clean/argv.log"
printf 'binary\0before %s after\n' "$LUKS_PW" >"$TMPD/selftest/dirty/sub/blob"
echo "token = \"$JOIN_TOKEN\"" >"$TMPD/selftest/dirty/answer.toml"
echo "Running: cryptsetup --key=<redacted>" >"$TMPD/selftest/dirty/argv.log"
! leaks "$TMPD/selftest/clean" >/dev/null || fail "scanner: a clean tree reported as leaking"
found=$(leaks "$TMPD/selftest/dirty" || true)
for want in "sub/blob: secret 1" "answer.toml: secret 3" "argv.log: a secret on a command line"; do
        grep -qF "$want" <<<"$found" || fail "scanner missed: $want (found: $found)"
done

cat >"$TMPD/answer.toml" <<EOF2
[global]
keyboard = "de"
country = "at"
fqdn = "node1.example.com"
mailto = "admin@example.com"
timezone = "UTC"
root-password = "$ROOT_PW"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["sda", "sdb"]
raid = "raid1"
encrypt = true
encrypt-passphrase = "$LUKS_PW"

[post-installation-webhook]
url = "https://hooks.example.com/done"
auth-token = "$HOOK_TOKEN"

[cluster]
mode = "join"
token = "$JOIN_TOKEN"
verify = false
EOF2

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
        run validate 0 answer validate "$TMPD/answer.toml" --hardware "$HW"
        run plan-text 0 plan --answer "$TMPD/answer.toml" --hardware "$HW"
        run plan-json 0 plan --answer "$TMPD/answer.toml" --hardware "$HW" --json
        run install-dry-run 0 install --dry-run --hardware "$HW" --answer "$TMPD/answer.toml"
        # A broken answer: the errors quote values, never the secrets.
        sed 's/^timezone = .*/timezone = 42/; s/^raid = .*/raid = "raid7"/' "$TMPD/answer.toml" >"$TMPD/bad.toml"
        run validate-bad 2 answer validate "$TMPD/bad.toml" --hardware "$HW"
        run install-bad 2 install --dry-run --hardware "$HW" --answer "$TMPD/bad.toml"
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/plan-json.stdout" || fail "plan --json is not JSON"
        grep -q raid7 "$out/validate-bad.stderr" || fail "the bad answer's error does not name the value"
        ;;
configure)
        DRIVER=${2:?}
        require_root
        run plan-json 0 plan --answer "$TMPD/answer.toml" --hardware "$HW" --json
        require_cmd ssh-keygen ldd
        # A bare target: the units stage 6 enables, and the ssh-keygen it runs chrooted.
        t=$TMPD/target
        mkdir -p "$t/etc/ssh" "$t/root" "$t/var/lib/dbus" "$t/usr/lib/systemd/system" "$t/usr/bin" "$t/dev"
        printf 'root:x:0:0:root:/root:/bin/bash\n' >"$t/etc/passwd"
        printf 'root:*:20783:0:99999:7:::\n' >"$t/etc/shadow"
        chmod 640 "$t/etc/shadow"
        cp "$FORJA_SRCDIR"/tests/configure/units/* "$t/usr/lib/systemd/system/"
        mkdir -p "$t/usr/share/zoneinfo" && cp /usr/share/zoneinfo/UTC "$t/usr/share/zoneinfo/UTC"
        mknod -m 666 "$t/dev/null" c 1 3
        cp /usr/bin/ssh-keygen "$t/usr/bin/"
        for lib in $(ldd /usr/bin/ssh-keygen | grep -o '/[^ ]*'); do
                mkdir -p "$t$(dirname "$lib")"
                cp -L "$lib" "$t$lib"
        done
        echo "install log line: nothing secret" >"$out/install.log"
        rc=0
        "$DRIVER" --root "$t" --plan "$out/plan-json.stdout" --answer "$TMPD/answer.toml" --log "$out/install.log" \
                --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1 \
                --mount /boot:ext4:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::2 \
                --argv-log "$out/configure.argv" >"$out/configure.stdout" 2>"$out/configure.stderr" || rc=$?
        [ "$rc" = 0 ] || { cat "$out/configure.stderr" >&2; fail "configure failed (exit $rc)"; }
        [ -f "$t/etc/forja/answer.toml" ] || fail "configure wrote no answer copy"
        [ -s "$out/configure.argv" ] || fail "configure ran no command (no argv log)"
        grep -q '^root:\$y\$' "$t/etc/shadow" || fail "root's password was not set"
        "$DRIVER" --redact "$TMPD/answer.toml" >"$out/redacted.toml" || fail "redaction failed"
        for f in etc/forja/answer.toml var/log/forja/install.log; do
                [ ! -e "$t/$f" ] || [ "$(stat -c %a "$t/$f")" = 600 ] || fail "$f is mode $(stat -c %a "$t/$f"), not 600"
        done
        [ "$(stat -c %a "$t/etc/shadow")" = 640 ] || [ "$(stat -c %a "$t/etc/shadow")" = 600 ] ||
                fail "/etc/shadow is mode $(stat -c %a "$t/etc/shadow")"
        # the copied system libraries and tools are not forja's output
        rm -rf "$t/usr/bin/ssh-keygen" "$t/lib" "$t/lib64" "$t/usr/lib/x86_64-linux-gnu" "$t/dev"
        cp -r "$t" "$out/target"
        ;;
*)
        fail "unknown mode $mode"
        ;;
esac

n=$(find "$out" -type f | wc -l)
[ "$n" -ge 5 ] || fail "only $n files produced"
if found=$(leaks "$out"); then
        echo "$found" >&2
        fail "secrets leaked"
fi
echo "secrets ($mode): $n files scanned for ${#SECRETS[@]} secrets, none found"
